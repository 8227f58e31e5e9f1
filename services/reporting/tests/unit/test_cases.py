"""Per-case records and what they tell districts (reporting.totals.cases), on known events."""

from __future__ import annotations

import copy
from dataclasses import fields
from typing import Any

import pytest

from reporting.totals.cases import CaseRecord, Happening, Statement, apply_case_event, change_from_json, on_case_event
from reporting.totals.contributions import contribution
from reporting.totals.districts import Bucket, DayRow, Districts
from reporting.totals.events import CaseSnapshot, Facts, snapshot_of
from reporting.totals.figures import NATION, ImpossibleFigures
from reporting.totals.rollup import roll_up

from .case_histories import case4_events, example, run_cases, run_districts, transfer_case


def test_the_examples_of_one_case_in_order_reversed_and_twice_give_its_latest_figures() -> None:
    events = case4_events()
    assert [e.get("revision", 1) for e in events] == list(range(1, 13))
    for delivery in (events, events[::-1], events + events[3:7]):
        records: dict[str, Any] = {}
        run_cases(delivery, records)
        record = CaseRecord.from_json(records[events[0]["case_id"]])
        assert record.version == 12 and record.latest.revision == 12
        assert contribution(record.current()) == contribution(snapshot_of(events[-1]))  # type: ignore[arg-type]


def test_a_redelivered_event_changes_nothing_but_is_stored_and_sent_again() -> None:
    event = example("CaseContacted", "phone-reached.json")
    records: dict[str, Any] = {}
    first = apply_case_event(records, event)
    stored = copy.deepcopy(records)
    records.clear()
    records.update(copy.deepcopy(stored))
    again = apply_case_event(records, event)
    assert first is not None and again is not None
    assert (first[0], again[0]) == (True, False)
    assert again[1] == first[1] and records == stored


def test_an_older_revision_after_a_newer_one_does_not_roll_the_case_back() -> None:
    newer, older = example("CaseClosed", "resolved.json"), example("CaseReferred", "gsb-refinancing.json")
    record, _ = on_case_event(None, newer) or (None, [])
    assert record is not None
    record2, sent = on_case_event(record, older) or (None, [])
    assert record2 is not None and record2.latest.revision == 11 and record2.version == 2
    statement = next(s for s in sent if isinstance(s, Statement))
    assert statement.figures["closed"] == 1 and statement.version == 2
    happening = next(s for s in sent if isinstance(s, Happening))
    assert happening.figures == {"referrals": 1} and happening.revision == 10  # its day still counts it


def test_a_transfer_moves_the_case_between_provinces_and_counts_both_ends() -> None:
    rollup = roll_up(run_districts(run_cases(transfer_case())))
    assert rollup.figures("district", "4701") == {"transfers_out": 1, "transfers_out_other_province": 1}
    assert rollup.figures("province", "47") == {"transfers_out": 1, "transfers_out_other_province": 1}
    moved = rollup.figures("province", "48")
    assert moved["registrants"] == 1 and moved["outstanding_satang"] == 2100000
    assert moved["transfers_in"] == moved["transfers_in_other_province"] == 1
    assert rollup.figures("nation", NATION)["registrants"] == 1
    assert rollup.figures("district", "4701", "2026-12-07") == {"transfers_out": 1}
    assert rollup.figures("district", "4801", "2026-12-07") == {"transfers_in": 1}


def test_a_case_seen_in_a_new_district_before_its_transfer_is_taken_from_the_old_one() -> None:
    registered, requested, transferred = transfer_case()
    later = example("CaseContacted", "phone-reached.json") | {
        "case_id": transferred["case_id"], "revision": 4, "province_code": "48", "district_code": "4801"}
    for delivery in ([registered, later], [registered, later, transferred, requested],
                     [later, transferred, registered]):
        rollup = roll_up(run_districts(run_cases(delivery)))
        assert "registrants" not in rollup.figures("district", "4701"), delivery
        assert rollup.figures("district", "4801")["registrants"] == 1


def test_an_older_producers_update_keeps_the_channel_and_facts_it_does_not_send() -> None:
    registered = example("CaseRegistered", "thaid-with-facts.json")
    update = example("CaseUpdated", "creditor-added.json") | {"case_id": registered["case_id"], "revision": 3}
    for delivery in ([registered, update], [update, registered]):
        records: dict[str, Any] = {}
        run_cases(delivery, records)
        case = CaseRecord.from_json(records[registered["case_id"]]).current()
        figures = contribution(case)
        assert figures["registrants_thaid_app"] == 1 and figures["excessive_interest"] == 1
        assert figures["creditors"] == 3  # the counts are the newer event's


def test_an_impossible_event_changes_nothing() -> None:
    event = example("CaseContacted", "phone-reached.json")
    event["facts"]["principal_satang"] = -5
    records: dict[str, Any] = {}
    with pytest.raises(ImpossibleFigures):
        apply_case_event(records, event)
    assert records == {}
    assert apply_case_event(records, {"event_type": "AuditRecorded", "case_id": "x"}) is None


def test_a_snapshots_json_names_every_field() -> None:
    snapshots = [snapshot_of(event) for event in case4_events()]
    for snapshot in snapshots:
        assert snapshot is not None and snapshot.facts is not None
        assert set(snapshot.as_json()) == {field.name for field in fields(CaseSnapshot)}
        assert set(snapshot.facts.as_json()) == {field.name for field in fields(Facts)}
        assert CaseSnapshot.from_json(snapshot.as_json()) == snapshot


def test_records_buckets_and_day_rows_survive_json() -> None:
    events = case4_events()
    records: dict[str, Any] = {}
    changes = run_cases([*events, *transfer_case()], records)
    for raw in records.values():
        assert CaseRecord.from_json(raw).as_json() == raw
    districts = Districts({}, {})
    run_districts(changes, districts)
    for raw in districts.buckets.values():
        assert Bucket.from_json(raw).as_json() == raw
    for raw in districts.days.values():
        assert DayRow.from_json(raw).as_json() == raw
    for change in changes:
        assert change_from_json(change.as_json()) == change


@pytest.mark.parametrize("raw", [
    {"kind": "case", "case_id": "c", "version": 1, "district": "4701", "figures": {"registrants": -1}},
    {"kind": "case", "case_id": "c", "version": 1, "district": "4701", "figures": {"registrations": 1}},
    {"kind": "day", "case_id": "c", "revision": 1, "district": "4701", "day": "2026-12-01"},
    {"kind": "total", "district": "4701"},
])
def test_a_broken_unit_change_is_refused(raw: dict[str, Any]) -> None:
    with pytest.raises(ImpossibleFigures):
        change_from_json(raw)
