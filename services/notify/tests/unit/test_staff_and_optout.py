"""Staff welcomes and opt-outs, without servers: StaffProvisioned plans one e-mail to the account (a reference,
no address); the welcome renders Thai with the link given at send time and without it in previews; identity is
asked for the e-mail and the link with notify's token; opt-out rules (what may be stopped, STOP/START replies,
keyed hashes, unforgeable links) and the directory that honours them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from contracts import registry
from notify.channels.port import PermanentFailure, TemporaryFailure
from notify.contacts import ServiceDirectory
from notify.messages.model import Channel, Message
from notify.messages.templates import Templates
from notify.optout.directory import OptOutDirectory
from notify.optout.rules import (
    OPTIONAL_TEMPLATES,
    Reply,
    link_token,
    may_opt_out,
    message_of,
    number_key,
    read_reply,
)
from notify.planning import plan
from notify.sending.ports import StaticDirectory

KEY = b"k" * 32
ACCOUNT = "0f6a8f0e-4a53-4c9b-a3a0-6f1b7f5d2c11"


def _event(event_type: str) -> dict[str, Any]:
    return registry.examples(event_type, 1)[0][1]


def _message(template: str, recipient: str, channel: Channel = Channel.SMS) -> Message:
    return Message(id="a" * 32, event_id="e", event_type="X", template=template, channel=channel,
                   recipient=recipient, context={}, created_at=datetime.now(UTC))


class Token:
    def token(self) -> str:
        return "svc-token"


def test_staff_provisioned_plans_one_welcome_email_to_the_account_reference() -> None:
    [welcome] = plan(_event("StaffProvisioned"))
    assert (welcome.template, welcome.channel) == ("staff_welcome", Channel.EMAIL)
    assert welcome.recipient == f"staff:{ACCOUNT}"
    assert welcome.unit_code == "4701" and welcome.case_id is None
    assert "activation_url" not in welcome.context  # the link is a secret made at send time, never stored


def test_the_welcome_renders_thai_with_the_link_and_hides_it_in_previews() -> None:
    [welcome] = plan(_event("StaffProvisioned"))
    link = "https://identity.example.go.th/activate/" + "T" * 43
    sent = Templates().render(welcome.template, Channel.EMAIL, {**welcome.context, "activation_url": link})
    assert link in sent.text and f'href="{link}"' in (sent.html or "")
    assert "เปิดใช้บัญชี" in (sent.subject or "") and "ไม่ส่งรหัสผ่าน" in sent.text and "registrar" in sent.text
    preview = Templates().render(welcome.template, Channel.EMAIL, welcome.context)
    assert "/activate/" not in preview.text and "ไม่เก็บไว้" in preview.text
    resent = Templates().render(welcome.template, Channel.EMAIL, {**welcome.context, "reason": "resent"})
    assert "ลิงก์เปิดใช้บัญชีใหม่" in (resent.subject or "")


def _identity(handler: Any) -> tuple[ServiceDirectory, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer: httpx.Response = handler(request)
        return answer

    directory = ServiceDirectory("http://registration", Token(), "saraban.{unit}@x", identity_url="http://identity",
                                 transport=httpx.MockTransport(record))
    return directory, seen


def test_a_staff_email_and_link_come_from_identity_with_notifys_token() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"id": ACCOUNT, "email": "somsri@dopa.go.th", "unit_code": "4701",
                                             "enabled": True})
        return httpx.Response(200, json={"activation_url": "https://i/activate/x",
                                         "expires_at": "2026-12-04T00:00:00Z"})

    directory, seen = _identity(answer)
    assert directory.address(f"staff:{ACCOUNT}", Channel.EMAIL) == "somsri@dopa.go.th"
    assert directory.address(f"staff:{ACCOUNT}", Channel.SMS) is None
    context = directory.send_time_context(_message("staff_welcome", f"staff:{ACCOUNT}", Channel.EMAIL))
    assert context["activation_url"] == "https://i/activate/x"
    assert [(r.method, str(r.url)) for r in seen] == [
        ("GET", f"http://identity/api/v1/staff-contacts/{ACCOUNT}"),
        ("POST", f"http://identity/api/v1/staff-contacts/{ACCOUNT}/activation-link")]
    assert all(r.headers["authorization"] == "Bearer svc-token" for r in seen)
    assert directory.send_time_context(_message("new_case", "unit:4701", Channel.EMAIL)) == {}


def test_identity_refusals_and_outages_map_to_failures() -> None:
    directory, _ = _identity(lambda r: httpx.Response(404, json={}))
    assert directory.address(f"staff:{ACCOUNT}", Channel.EMAIL) is None
    with pytest.raises(PermanentFailure, match="activation_not_requested"):
        directory.send_time_context(_message("staff_welcome", f"staff:{ACCOUNT}", Channel.EMAIL))
    down, _ = _identity(lambda r: httpx.Response(503, json={}))
    with pytest.raises(TemporaryFailure):
        down.address(f"staff:{ACCOUNT}", Channel.EMAIL)
    disabled, _ = _identity(lambda r: httpx.Response(200, json={"email": "x@y", "enabled": False}))
    assert disabled.address(f"staff:{ACCOUNT}", Channel.EMAIL) is None
    unconfigured = ServiceDirectory("http://registration", Token(), "{unit}@x")
    assert unconfigured.address(f"staff:{ACCOUNT}", Channel.EMAIL) is None


@pytest.mark.parametrize(("template", "recipient", "channel", "optional"), [
    ("mediation_outcome", "debtor:c-1", Channel.SMS, True),
    ("mediation_outcome", "debtor:c-1", Channel.LINE, False),  # LINE users block the account themselves
    ("registration_receipt", "debtor:c-1", Channel.SMS, False),  # they need it
    ("mediation_scheduled", "debtor:c-1", Channel.SMS, False),  # an appointment or its change: they need it
    ("deadline_reminder", "unit:4701", Channel.EMAIL, False),  # staff may not opt out of deadlines
    ("report_overdue", "unit:47", Channel.EMAIL, False),
    ("staff_welcome", f"staff:{ACCOUNT}", Channel.EMAIL, False),
])
def test_only_optional_debtor_sms_may_be_stopped(template: str, recipient: str, channel: Channel,
                                                  optional: bool) -> None:
    assert may_opt_out(template, recipient, channel) is optional


def test_no_staff_template_is_optional() -> None:
    staff_templates = {"new_case", "deadline_reminder", "report_overdue", "report_returned", "staff_welcome"}
    assert not OPTIONAL_TEMPLATES & staff_templates


@pytest.mark.parametrize(("text", "reply"), [("STOP", Reply.STOP), (" stop ขอบคุณ", Reply.STOP),
                                             ("ยกเลิก", Reply.STOP), ("หยุด", Reply.STOP), ("Start", Reply.START),
                                             ("รับ", Reply.START), ("stopped it?", None), ("", None),
                                             ("สวัสดี STOP", None)])
def test_replies_are_read_by_their_first_word(text: str, reply: Reply | None) -> None:
    assert read_reply(text) is reply


def test_numbers_are_kept_as_keyed_hashes_and_links_cannot_be_forged() -> None:
    key = number_key(KEY, "+66812345678")
    assert "812345678" not in key and len(key) == 64
    assert key == number_key(KEY, "+66812345678") != number_key(b"other-key" * 4, "+66812345678")
    token = link_token(KEY, "b" * 32)
    assert message_of(KEY, token) == "b" * 32
    assert message_of(KEY, "c" * 32 + token[32:]) is None  # another message with this signature
    assert message_of(b"x" * 32, token) is None and message_of(KEY, "junk") is None


class Stopped:
    key = KEY

    def __init__(self, numbers: set[str]) -> None:
        self.numbers = numbers

    def stopped(self, e164: str) -> bool:
        return e164 in self.numbers


def test_the_directory_stops_only_optional_messages_to_a_stopped_number() -> None:
    inner = StaticDirectory({("debtor:c-1", Channel.SMS): "+66812345678"})
    directory = OptOutDirectory(inner, Stopped({"+66812345678"}), "https://notify.example.go.th")  # type: ignore[arg-type]
    outcome = _message("mediation_outcome", "debtor:c-1")
    assert directory.opted_out(outcome, "+66812345678")
    assert not directory.opted_out(outcome, "+66899999999")
    assert not directory.opted_out(_message("mediation_scheduled", "debtor:c-1"), "+66812345678")
    assert not directory.opted_out(_message("registration_receipt", "debtor:c-1"), "+66812345678")
    link = directory.send_time_context(outcome)["opt_out_url"]
    assert link == "https://notify.example.go.th/optout/" + link_token(KEY, outcome.id)
    assert directory.send_time_context(_message("registration_receipt", "debtor:c-1")) == {}


def test_the_outcome_sms_carries_the_stop_instructions_only_when_it_may_be_stopped() -> None:
    [outcome] = plan(_event("MediationConcluded"))
    with_link = Templates().render("mediation_outcome", Channel.SMS,
                                   {**outcome.context, "opt_out_url": "https://n.go.th/optout/" + "a" * 57})
    assert "STOP" in with_link.text and "https://n.go.th/optout/" in with_link.text and len(with_link.text) <= 300
    assert "STOP" not in Templates().render("mediation_outcome", Channel.SMS, outcome.context).text
