"""Per-case records and what they tell districts (reporting.totals.cases), through the worker's batch step, on
known events."""

from __future__ import annotations

import copy
from typing import Any

from reporting.totals.batch import join_case
from reporting.totals.cases import CaseRecord, Statement, merge, statements
from reporting.totals.contributions import contribution
from reporting.totals.events import snapshot_of, transfer_of
from reporting.totals.figures import NATION
from reporting.totals.rollup import roll_up

from .case_histories import Worker, case4_events, example, run_cases, transfer_case


def test_the_examples_of_one_case_in_order_reversed_and_twice_give_its_latest_figures() -> None:
    events = case4_events()
    assert [e.get("revision", 1) for e in events] == list(range(1, 13))
    for delivery in (events, events[::-1], events + events[3:7]):
        for batch in (1, 5, 100):
            cases: dict[str, Any] = {}
            run_cases(delivery, cases, batch)
            record = CaseRecord.from_json(cases[events[0]["case_id"]])
            assert record.version == 12 and record.latest.revision == 12
            assert contribution(record.current()) == contribution(snapshot_of(events[-1]))  # type: ignore[arg-type]


def test_a_redelivered_event_changes_nothing_but_is_stored_and_published_again() -> None:
    event = example("CaseContacted", "phone-reached.json")
    worker = Worker()
    first = worker.batch([event])
    stored = copy.deepcopy(worker.cases)
    again = worker.batch([event])
    assert worker.outcomes == ["applied", "unchanged"]
    assert again == first and worker.cases == stored


def test_an_older_revision_after_a_newer_one_does_not_roll_the_case_back() -> None:
    newer, older = example("CaseClosed", "resolved.json"), example("CaseReferred", "gsb-refinancing.json")
    first = join_case(None, 0, [(0, newer)])
    assert first.value is not None
    second = join_case(first.value, 0, [(1, older)])
    assert second.value is not None and second.changed
    record = CaseRecord.from_json(second.value)
    assert record.latest.revision == 11 and record.version == 2
    (share,) = second.value["shares"].values()
    assert share["closed"] == 1
    assert second.value["happened"]["10"] == [["4701", "2027-01-19", {"referrals": 1}]]  # its day still counts it


def test_a_transfer_moves_the_case_between_provinces_and_counts_both_ends() -> None:
    rollup = roll_up(run_cases(transfer_case()))
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
        for batch in (1, 4):
            rollup = roll_up(run_cases(delivery, batch=batch))
            assert "registrants" not in rollup.figures("district", "4701"), delivery
            assert rollup.figures("district", "4801")["registrants"] == 1


def test_an_older_producers_update_keeps_the_channel_and_facts_it_does_not_send() -> None:
    registered = example("CaseRegistered", "thaid-with-facts.json")
    update = example("CaseUpdated", "creditor-added.json") | {"case_id": registered["case_id"], "revision": 3}
    for delivery in ([registered, update], [update, registered]):
        cases: dict[str, Any] = {}
        run_cases(delivery, cases)
        case = CaseRecord.from_json(cases[registered["case_id"]]).current()
        figures = contribution(case)
        assert figures["registrants_thaid_app"] == 1 and figures["excessive_interest"] == 1
        assert figures["creditors"] == 3  # the counts are the newer event's


def test_an_impossible_event_changes_nothing() -> None:
    event = example("CaseContacted", "phone-reached.json")
    event["facts"]["principal_satang"] = -5
    outcome = join_case(None, 0, [(0, event)])
    assert outcome.value is None and [index for index, _ in outcome.refused] == [0]
    assert join_case(None, 0, [(0, {"event_type": "AuditRecorded", "case_id": "x"})]).ignored == [0]


def test_records_survive_json_and_statements_cover_every_district_the_case_was_in() -> None:
    events = [*case4_events(), *transfer_case()]
    cases: dict[str, Any] = {}
    run_cases(events, cases)
    for raw in cases.values():
        assert CaseRecord.from_json(raw).as_json() == {k: raw[k] for k in CaseRecord.from_json(raw).as_json()}
    registered, _requested, transferred = transfer_case()
    record = None
    for event in (registered, transferred):
        case = snapshot_of(event)
        assert case is not None
        record = merge(record, case, transfer_of(event))
    assert record is not None
    assert [s.district for s in statements(record)] == ["4701", "4801"]
    assert all(isinstance(s, Statement) and s.version == 2 for s in statements(record))
