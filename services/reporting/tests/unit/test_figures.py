"""What one case adds to its district, and one event to its day (reporting.totals.figures)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from contracts import codec, registry
from reporting.totals.contributions import contribution, daily_counts, transfer_figures
from reporting.totals.events import CASE_EVENT_TYPES, Transfer, snapshot_of
from reporting.totals.figures import DAILY, FIGURES, INT64_MAX, ImpossibleFigures, add, bangkok_day, checked, diff

CASE_EVENTS = registry.topic("case-events")
EXAMPLES = [(f"{t}/{name}", event) for t in sorted(CASE_EVENTS.events) for name, event in registry.examples(t, 1)]
THAI = re.compile(r"[\u0E00-\u0E7F]")


def example(event_type: str, name: str) -> dict[str, Any]:
    return copy.deepcopy(dict(registry.examples(event_type, 1))[name])


def test_the_figures_cover_every_event_type_the_topic_carries() -> None:
    assert set(CASE_EVENTS.events) == CASE_EVENT_TYPES


@pytest.mark.parametrize("labels", [FIGURES, DAILY], ids=["figures", "daily"])
def test_every_figure_has_a_thai_and_an_english_label(labels: dict[str, Any]) -> None:
    for name, label in labels.items():
        assert re.fullmatch(r"[a-z_]+", name)
        assert THAI.search(label.th), name
        assert label.en and not THAI.search(label.en), name
        assert label.satang == name.endswith("_satang"), name


@pytest.mark.parametrize(("name", "event"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_every_example_gives_plausible_figures_under_known_names(name: str, event: dict[str, Any]) -> None:
    codec.decode(codec.encode(CASE_EVENTS.name, event)[1])  # the examples are what producers send
    case = snapshot_of(event)
    assert case is not None
    figures = contribution(case)
    assert checked(figures) == figures
    assert figures["registrants"] == 1 and all(figures.values())
    for district, day_figures in daily_counts(event):
        assert district in (event["district_code"], event.get("from_district_code"))
        assert checked(day_figures, DAILY) == day_figures


def test_an_older_producers_registration_gives_counts_and_channel_only() -> None:
    case = snapshot_of(example("CaseRegistered", "online.json"))
    assert case is not None and case.revision == 1 and case.facts is None
    assert contribution(case) == {
        "registrants": 1, "registrants_self_online": 1, "creditors": 2, "debts": 3,
        "principal_satang": 5000000, "outstanding_satang": 6250050}


def test_an_older_producers_update_does_not_know_the_channel() -> None:
    case = snapshot_of(example("CaseUpdated", "creditor-added.json"))
    assert case is not None and case.revision == 2 and case.channel is None
    assert "registrants_self_online" not in contribution(case)


def test_facts_win_over_the_top_level_counts() -> None:
    event = example("CaseUpdated", "debts-added-with-facts.json")
    event["debt_count"] = 99  # the snapshot is the facts; the top-level counts are for older consumers
    case = snapshot_of(event)
    assert case is not None and case.debt_count == 3


def test_an_agreement_counts_success_and_the_debt_reduced() -> None:
    case = snapshot_of(example("MediationConcluded", "agreement.json"))
    assert case is not None
    figures = contribution(case)
    assert figures["mediation_entered"] == figures["mediation_succeeded"] == 1
    assert (figures["debt_before_satang"], figures["debt_after_satang"], figures["debt_reduced_satang"]) == (
        5600000, 4000000, 1600000)
    assert "mediation_failed" not in figures


def test_an_agreement_that_raised_the_debt_reduced_nothing() -> None:
    event = example("MediationConcluded", "agreement.json")
    event["facts"]["debt_after_satang"] = 6000000
    event["debt_after_satang"] = 6000000
    case = snapshot_of(event)
    assert case is not None
    assert "debt_reduced_satang" not in contribution(case)
    assert daily_counts(event) == [("4701", {"mediations_succeeded": 1, "debt_reduced_satang": 0})]


def test_no_agreement_is_a_failure_and_an_absent_party_is_neither() -> None:
    event = example("MediationConcluded", "creditor-absent.json")
    case = snapshot_of(event)
    assert case is not None
    assert {"mediation_succeeded", "mediation_failed"}.isdisjoint(contribution(case))
    assert daily_counts(event) == []
    event["result"], event["facts"]["mediation_result"] = "no_agreement", "no_agreement"
    case = snapshot_of(event)
    assert case is not None and contribution(case)["mediation_failed"] == 1
    assert daily_counts(event) == [("4701", {"mediations_failed": 1})]


@pytest.mark.parametrize(("referrals", "groups"), [
    (["police"], {"referred_police", "referred_law"}),
    (["prosecution", "police"], {"referred_police", "referred_prosecution", "referred_law"}),
    (["gsb", "baac"], {"referred_gsb", "referred_baac", "referred_bank"}),
    (["legal_aid", "jobs"], {"referred_legal_aid", "referred_jobs", "referred_other_help"}),
    # "other help" is the referral elsewhere: its own figure, and the other-help group's
    (["other_help", "training"], {"referred_other", "referred_training", "referred_other_help"}),
])
def test_referrals_count_each_agency_and_each_case_once_per_group(referrals: list[str], groups: set[str]) -> None:
    event = example("CaseReferred", "gsb-refinancing.json")
    event["facts"]["referrals"] = referrals
    case = snapshot_of(event)
    assert case is not None
    assert {name for name in contribution(case) if name.startswith("referred_")} == groups


def test_decisions_closure_and_reopening() -> None:
    decided = snapshot_of(example("MediationDecisionRecorded", "wants-mediation.json"))
    closed = snapshot_of(example("CaseClosed", "resolved.json"))
    reopened = snapshot_of(example("CaseReopened", "threatened-again.json"))
    assert decided is not None and closed is not None and reopened is not None
    assert contribution(decided)["wants_mediation"] == 1
    assert contribution(closed)["closed"] == 1
    assert "closed" not in contribution(reopened)
    for decision, figure in (("declined", "declined_mediation"), ("unreachable", "unreachable")):
        event = example("MediationDecisionRecorded", "wants-mediation.json")
        event["facts"]["decision"] = decision
        case = snapshot_of(event)
        assert case is not None and contribution(case)[figure] == 1


def test_events_about_other_things_have_no_figures() -> None:
    assert snapshot_of(example("CaseRegistered", "desk.json") | {"event_type": "AuditRecorded"}) is None
    assert daily_counts({"event_type": "AuditRecorded"}) == []


@pytest.mark.parametrize("value", [2**63, -1, 1e20, 100.0, True, "5", None])
def test_figures_no_case_can_have_are_refused(value: object) -> None:
    with pytest.raises(ImpossibleFigures):
        snapshot_of(example("CaseRegistered", "online.json") | {"principal_satang": value})
    event = example("CaseContacted", "phone-reached.json")
    event["facts"]["outstanding_satang"] = value
    with pytest.raises(ImpossibleFigures):
        snapshot_of(event)


@pytest.mark.parametrize("change", [
    {"district_code": "4801"},  # not in province 47
    {"revision": 0},
    {"case_id": ""},
    {"channel": "fax"},
])
def test_events_no_case_can_have_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ImpossibleFigures):
        snapshot_of(example("CaseRegistered", "online.json") | change)


def test_a_missing_field_is_refused_not_a_crash() -> None:
    event = example("CaseContacted", "phone-reached.json")
    del event["facts"]["excessive_interest"]
    with pytest.raises(ImpossibleFigures):
        snapshot_of(event)
    with pytest.raises(ImpossibleFigures):
        snapshot_of({"event_type": "CaseClosed"})


def test_sums_beyond_int64_or_unknown_names_are_refused() -> None:
    assert checked({"principal_satang": INT64_MAX}) == {"principal_satang": INT64_MAX}
    with pytest.raises(ImpossibleFigures):
        checked(add({"principal_satang": INT64_MAX}, {"principal_satang": 1}))
    with pytest.raises(ImpossibleFigures):
        checked({"principal_satang": -1})
    with pytest.raises(ImpossibleFigures):
        checked({"registrations": 1})  # a daily figure is not an all-time one
    assert checked({"registrations": 1}, DAILY) == {"registrations": 1}


def test_add_and_diff_keep_rows_free_of_zeros() -> None:
    assert add({"debts": 2, "creditors": 1}, {"debts": -2}) == {"creditors": 1}
    assert diff({"debts": 2, "creditors": 1}, {"debts": 3, "closed": 1}) == {"debts": 1, "creditors": -1, "closed": 1}
    assert diff({"debts": 2}, {"debts": 2}) == {}


def test_add_and_diff_leave_their_inputs_alone() -> None:
    first, second = {"debts": 2, "creditors": 1}, {"debts": -2, "closed": 0}
    assert add() == {}
    assert add(first) == first and add(first) is not first
    assert add({"debts": 0}) == {}
    assert add(first, second, {"debts": 5}) == {"debts": 5, "creditors": 1}
    assert diff(first, second) == {"debts": -4, "creditors": -1}
    assert first == {"debts": 2, "creditors": 1} and second == {"debts": -2, "closed": 0}


@pytest.mark.parametrize(("occurred_at", "day"), [
    ("2026-12-01T16:59:59+00:00", "2026-12-01"),
    ("2026-12-01T17:00:00+00:00", "2026-12-02"),  # midnight in Bangkok
    ("2026-12-02T06:00:05+07:00", "2026-12-02"),
    ("2026-12-31T23:30:00-05:00", "2027-01-01"),
])
def test_days_are_bangkok_days(occurred_at: str, day: str) -> None:
    assert bangkok_day(occurred_at) == day


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ImpossibleFigures):
        bangkok_day("2026-12-01T10:00:00")


@pytest.mark.parametrize(("event_type", "name", "expected"), [
    ("CaseRegistered", "desk.json", [("1001", {"registrations": 1})]),
    ("CaseContacted", "phone-reached.json", [("4701", {"contacts": 1})]),
    ("MediationDecisionRecorded", "wants-mediation.json", [("4701", {"decisions": 1})]),
    ("MediationScheduled", "scheduled.json", [("4701", {"mediations_entered": 1})]),
    ("MediationScheduled", "rescheduled.json", []),
    ("MediationConcluded", "agreement.json", [("4701", {"mediations_succeeded": 1, "debt_reduced_satang": 1600000})]),
    ("CaseReferred", "gsb-refinancing.json", [("4701", {"referrals": 1})]),
    ("CaseClosed", "resolved.json", [("4701", {"closures": 1})]),
    ("CaseReopened", "threatened-again.json", [("4701", {"reopenings": 1})]),
    ("CaseTransferred", "from-sakon-nakhon.json", [("4801", {"transfers_in": 1}), ("4701", {"transfers_out": 1})]),
    ("CaseAssigned", "assigned.json", []),
    ("CaseTransferRequested", "to-nakhon-phanom.json", []),
])
def test_what_each_event_adds_to_its_day(event_type: str, name: str, expected: list[Any]) -> None:
    assert daily_counts(example(event_type, name)) == expected


def test_transfers_are_counted_at_both_ends_and_across_provinces_separately() -> None:
    transfers = [Transfer(3, "4701", "4801"), Transfer(5, "4801", "4802"), Transfer(7, "4802", "4801")]
    assert transfer_figures(transfers, "4701") == {"transfers_out": 1, "transfers_out_other_province": 1}
    assert transfer_figures(transfers, "4801") == {"transfers_in": 2, "transfers_in_other_province": 1,
                                                   "transfers_out": 1}
    assert transfer_figures(transfers, "4802") == {"transfers_in": 1, "transfers_out": 1}
    assert transfer_figures(transfers, "1001") == {}
