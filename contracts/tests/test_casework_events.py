"""District casework events on case-events: one shared status and facts snapshot, codes and amounts only."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from contracts import codec, registry

CASE_EVENTS = registry.topic("case-events")
CASEWORK = sorted(set(CASE_EVENTS.events) - {"CaseRegistered", "CaseUpdated"})
COMMON_REQUIRED = {"event_id", "event_type", "schema_version", "occurred_at", "case_id", "revision",
                   "province_code", "district_code", "status", "facts"}
SHARED = ("status", "facts")


def example(event_type: str, name: str | None = None) -> dict[str, Any]:
    found = dict(registry.examples(event_type, 1))
    return copy.deepcopy(found[name] if name else next(iter(found.values())))


def test_casework_events_are_on_case_events() -> None:
    carried = set(CASE_EVENTS.events)
    assert carried >= {
        "CaseAssigned", "CaseClosed", "CaseContacted", "CaseReferred", "CaseReopened", "CaseTransferRefused",
        "CaseTransferRequested", "CaseTransferred", "MediationConcluded", "MediationDecisionRecorded",
        "MediationScheduled",
    }
    assert all(CASE_EVENTS.events[e] == (1,) for e in CASEWORK)


@pytest.mark.parametrize("shared", SHARED)
def test_status_and_facts_are_defined_identically_in_every_schema(shared: str) -> None:
    """The registry loads one file per schema, so the definitions are copied; they must not drift."""
    having = {(e, v): registry.schema(e, v)["properties"][shared] for e, v in registry.all_schemas()
              if shared in registry.schema(e, v)["properties"]}
    assert {(e, v) for e in CASE_EVENTS.events for v in CASE_EVENTS.events[e]} <= set(having)
    reference = json.dumps(having[("CaseRegistered", 1)], sort_keys=True)
    drifted = [key for key, definition in having.items() if json.dumps(definition, sort_keys=True) != reference]
    assert not drifted, f"{shared} differs from CaseRegistered v1's in {drifted}"


def test_facts_list_every_property_as_required_and_allow_no_other() -> None:
    facts = registry.schema("CaseRegistered", 1)["properties"]["facts"]
    assert facts["additionalProperties"] is False
    assert set(facts["required"]) == set(facts["properties"])


def test_status_and_facts_stay_optional_on_the_published_registration_events() -> None:
    for event_type in ("CaseRegistered", "CaseUpdated"):
        assert not set(SHARED) & set(registry.schema(event_type, 1)["required"])


@pytest.mark.parametrize("event_type", CASEWORK)
def test_casework_schema_requires_the_common_properties(event_type: str) -> None:
    schema = registry.schema(event_type, 1)
    assert set(schema["required"]) >= COMMON_REQUIRED
    assert schema["properties"]["revision"]["minimum"] == 2


@pytest.mark.parametrize("event_type", CASEWORK)
def test_casework_examples_encode_and_decode_on_case_events(event_type: str) -> None:
    for name, event in registry.examples(event_type, 1):
        key, value, _headers = codec.encode("case-events", event)
        assert key == event["case_id"].encode(), name
        assert codec.decode(value) == event, name
        assert event["occurred_at"].endswith("+07:00"), name


def _set(event: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    *parents, last = path.split(".")
    node = changed
    for part in parents:
        node = node[part]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return changed


_DELETE = object()


@pytest.mark.parametrize(
    ("event_type", "path", "value", "message"),
    [
        ("CaseContacted", "facts.citizen_id", "1101700230708", "facts"),  # nothing personal slips into facts
        ("CaseContacted", "facts.reached", _DELETE, "facts"),
        ("CaseContacted", "facts.decision", "maybe", "facts"),
        ("CaseContacted", "facts.referrals", ["gsb", "gsb"], "facts"),
        ("CaseContacted", "facts.debt_after_satang", -1, "facts"),
        ("CaseContacted", "status", "open", "status"),
        ("CaseContacted", "revision", 1, "revision"),
        ("CaseContacted", "contacted_on", "2026-12-04T10:20:00+07:00", "contacted_on"),
        ("CaseContacted", "attempt_no", 0, "attempt_no"),
        ("CaseContacted", "letter_no", "x" * 65, "letter_no"),
        ("CaseContacted", "district_code", "47", "district_code"),
        ("CaseClosed", "reason", None, "reason"),
        ("CaseAssigned", "assigned", 1, "assigned"),
        ("CaseTransferRequested", "to_district_code", "48001", "to_district_code"),
        ("MediationScheduled", "scheduled_at", "2027-01-12", "scheduled_at"),
        ("MediationConcluded", "debt_after_satang", None, "debt_after_satang"),  # an agreement names the debt
    ],
)
def test_invalid_casework_events_are_refused(event_type: str, path: str, value: object, message: str) -> None:
    with pytest.raises(codec.ContractError, match=message):
        codec.validate_for_produce(_set(example(event_type), path, value))


def test_a_session_without_agreement_carries_no_agreed_debt() -> None:
    absent = example("MediationConcluded", "creditor-absent.json")
    assert absent["debt_after_satang"] is None
    with pytest.raises(codec.ContractError):
        codec.validate_for_produce({**absent, "debt_after_satang": 100})
    no_agreement = {**absent, "result": "no_agreement"}
    assert codec.validate_for_produce(no_agreement) == ("MediationConcluded", 1)


def test_optional_fields_may_be_left_out() -> None:
    letter = example("CaseContacted", "phone-reached.json")
    del letter["letter_no"]
    concluded = example("MediationConcluded", "agreement.json")
    del concluded["instalment_satang"], concluded["interest_bp_per_year"]
    registered = example("CaseRegistered", "thaid-with-facts.json")
    del registered["status"], registered["facts"]
    for event in (letter, concluded, registered):
        codec.validate_for_produce(event)


def test_one_case_story_moves_forward_by_revision() -> None:
    """The examples of case ...0004 read as one casework story: revisions rise with time, none repeats."""
    story = [event for event_type in CASE_EVENTS.events for _name, event in registry.examples(event_type, 1)
             if event["case_id"] == "c-01JF0000000000000000000004"]
    story.sort(key=lambda e: e["occurred_at"])
    revisions = [e.get("revision", 1) for e in story]
    assert revisions == list(range(1, len(story) + 1))
