"""Which messages each event asks for, and that every template renders Thai text for its events."""

from __future__ import annotations

import pytest

from contracts import registry
from notify.messages.model import TRANSITIONS, Channel, Message, State, may_move, message_id
from notify.messages.templates import Templates, baht, thai_date, thai_period
from notify.planning import plan


def example(event_type: str, name: str) -> dict[str, object]:
    return dict(registry.examples(event_type, 1))[name]


def test_a_registration_sends_the_debtor_a_receipt_and_the_district_a_notice() -> None:
    planned = plan(example("CaseRegistered", "online.json"))
    assert [(p.template, p.channel, p.recipient) for p in planned] == [
        ("registration_receipt", Channel.SMS, "debtor:c-01JF0000000000000000000001"),
        ("new_case", Channel.EMAIL, "unit:4701"),
    ]
    assert all(p.case_id == "c-01JF0000000000000000000001" and p.unit_code == "4701" for p in planned)


def test_an_overdue_district_report_goes_to_the_district_and_its_province() -> None:
    planned = plan(example("ReportOverdue", "district-not-submitted.json"))
    assert [p.recipient for p in planned] == ["unit:4701", "unit:47"]


def test_a_returned_report_goes_to_the_unit_with_the_reason() -> None:
    [returned] = plan(example("ReportReturned", "figures-incomplete.json"))
    assert returned.recipient == "unit:4701" and "ยังบันทึกไม่ครบ" in returned.context["reason"]


def test_events_that_ask_for_nothing_plan_nothing() -> None:
    assert plan(example("ReportSubmitted", "district-on-time.json")) == []


def test_debtor_channels_are_chosen_by_configuration() -> None:
    planned = plan(example("MediationScheduled", "scheduled.json"), (Channel.SMS, Channel.LINE))
    assert [p.channel for p in planned] == [Channel.SMS, Channel.LINE]
    assert len({message_id("e", p.template, p.recipient, p.channel) for p in planned}) == 2


@pytest.mark.parametrize(("event_type", "name"), [(t, n) for t in ("CaseRegistered", "MediationScheduled",
                                                                   "MediationConcluded", "ReportOverdue",
                                                                   "ReportReturned")
                                                  for n, _ in registry.examples(t, 1)])
def test_every_planned_message_renders_thai_on_every_channel(event_type: str, name: str) -> None:
    templates = Templates()
    for planned in plan(example(event_type, name), (Channel.SMS, Channel.LINE)):
        rendered = templates.render(planned.template, planned.channel, planned.context)
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in rendered.text), rendered.text
        if planned.channel is Channel.EMAIL:
            assert rendered.subject and rendered.html and '<html lang="th">' in rendered.html
        else:
            assert len(rendered.text) <= 300, "an SMS of more than 4 Thai segments costs too much"


def test_the_mediation_sms_says_the_date_in_the_buddhist_era_and_bangkok_time() -> None:
    [sms] = plan(example("MediationScheduled", "scheduled.json"))
    text = Templates().render(sms.template, sms.channel, sms.context).text
    assert "12 มกราคม 2570 เวลา 09:30 น." in text and "c-01JF0000000000000000000004" in text


def test_html_escapes_what_a_reviewer_typed() -> None:
    context = {"period": "2026-10", "unit_code": "4701", "report_version": 1, "reason": "<script>x</script>"}
    rendered = Templates().render("report_returned", Channel.EMAIL, context)
    assert "<script>" not in (rendered.html or "") and "&lt;script&gt;" in (rendered.html or "")
    assert "<script>x</script>" in rendered.text  # plain text is not HTML


def test_every_template_channel_pair_is_listed_for_previews() -> None:
    names = Templates().names()
    assert ("registration_receipt", Channel.SMS) in names and ("new_case", Channel.EMAIL) in names
    assert all(isinstance(c, Channel) for _, c in names)


def test_thai_formats() -> None:
    assert thai_period("2026-10") == "ตุลาคม 2569"
    assert thai_date("2026-11-30") == "30 พฤศจิกายน 2569"
    assert baht(625_005_0) == "62,500.50 บาท" and baht(None) == "-"


def test_message_identity_is_the_event_template_and_recipient() -> None:
    event = example("CaseRegistered", "online.json")
    key = (str(event["event_id"]), "t", "debtor:x")
    assert message_id(*key, Channel.SMS) == message_id(*key, Channel.SMS) != message_id(*key, Channel.LINE)
    assert message_id(*key, Channel.SMS) != message_id(str(event["event_id"]), "t", "unit:x", Channel.SMS)
    from datetime import UTC, datetime
    [first, _] = [Message.from_plan(event, p, datetime.now(UTC)) for p in plan(event)]
    assert first.state is State.CREATED and first.next_attempt_at == first.created_at


def test_the_life_of_a_message_only_moves_forward() -> None:
    assert may_move(State.CREATED, State.SENDING) and not may_move(State.CREATED, State.DELIVERED)
    assert may_move(State.TEMPORARY_FAILURE, State.SENDING)
    assert TRANSITIONS[State.PERMANENT_FAILURE] == frozenset()
