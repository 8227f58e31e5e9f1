"""The worker's batch step (``reporting.totals.batch``, ``.partials``) on known events: what one batch writes and
publishes when it holds duplicates, revisions out of order, several events of one case, or a whole transfer."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from contracts import codec, registry
from reporting.totals.batch import decode
from reporting.totals.cases import CaseRecord
from reporting.totals.districts import TotalsRow
from reporting.totals.partials import PartialRow, Partials
from reporting.totals.rollup import roll_up
from reporting.totals.topics import CASE_EVENTS

from .case_histories import Event, Worker, case4_events, example, partition_of, transfer_case


class CountingTable(dict[str, Any]):
    """A table that counts its writes per key."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: dict[str, int] = {}

    def __setitem__(self, key: str, value: Any) -> None:
        self.writes[key] = self.writes.get(key, 0) + 1
        super().__setitem__(key, value)


def one_by_one(events: list[Event]) -> dict[tuple[str, str, str | None], dict[str, int]]:
    """The totals of ``events`` applied one batch per event (the oracle for a batch of them)."""
    worker = Worker()
    return roll_up([row for event in events for row in worker.batch([event])]).sums


def test_a_batch_of_one_cases_events_writes_the_case_once_and_each_row_once() -> None:
    events = case4_events()
    table = CountingTable()
    worker = Worker(table)
    rows = worker.batch(events)
    assert table.writes == {events[0]["case_id"]: 1}
    keys = [row.key for row in worker.published]
    months = sorted({row.day[:7] for row in rows if row.day})
    part = partition_of(events[0]["case_id"])
    assert keys == [f"district:4701:p{part}", *(f"district:4701:p{part}:{month}" for month in months)]
    assert roll_up(rows).sums == one_by_one(events)
    record = CaseRecord.from_json(table[events[0]["case_id"]])
    assert record.version == 12 and record.latest.revision == 12


def test_duplicates_inside_one_batch_count_once() -> None:
    events = case4_events()
    twice = [event for event in events for _ in range(2)] + events[:3]
    worker = Worker()
    rows = worker.batch(twice)
    assert roll_up(rows).sums == one_by_one(events)
    assert roll_up(rows).figures("district", "4701", "2026-12-09") == {"contacts": 1, "decisions": 1}


def test_revisions_out_of_order_inside_and_across_batches_give_the_latest() -> None:
    events = case4_events()
    backwards = events[::-1]
    worker = Worker()
    rows = worker.batch(backwards[:5]) + worker.batch(backwards[5:])
    assert roll_up(rows).sums == one_by_one(events)
    again = worker.batch(events[3:8])  # older revisions once more, after the newest: nothing moves back
    assert set(worker.outcomes[-5:]) == {"unchanged"}
    assert roll_up(rows + again).sums == one_by_one(events)


def test_a_transfer_inside_one_batch_moves_the_case_and_counts_both_ends() -> None:
    registered, requested, transferred = transfer_case()
    for delivery in ([registered, requested, transferred], [transferred, registered, requested]):
        rollup = roll_up(Worker().batch(delivery))
        assert rollup.figures("district", "4701") == {"transfers_out": 1, "transfers_out_other_province": 1}
        moved = rollup.figures("province", "48")
        assert moved["registrants"] == 1 and moved["transfers_in_other_province"] == 1
        assert rollup.figures("nation", "TH")["registrants"] == 1
        assert rollup.figures("district", "4701", "2026-12-07") == {"transfers_out": 1}
        assert rollup.figures("district", "4801", "2026-12-07") == {"transfers_in": 1}


def test_a_transfer_in_a_later_batch_takes_the_case_from_the_old_districts_row() -> None:
    registered, requested, transferred = transfer_case()
    worker = Worker()
    first = worker.batch([registered, requested])
    assert roll_up(first).figures("district", "4701")["registrants"] == 1
    later = worker.batch([transferred])
    old_row = next(row for row in later if row.district == "4701" and row.day is None)
    assert "registrants" not in old_row.figures  # the old district's share republished without the case
    assert roll_up(first + later).figures("district", "4801")["registrants"] == 1


def test_an_impossible_event_is_refused_alone_and_the_rest_of_its_case_applies() -> None:
    events = case4_events()[:3]
    broken = copy.deepcopy(events[1]) | {"revision": 40}
    broken["facts"]["principal_satang"] = -5
    worker = Worker()
    rows = worker.batch([events[0], broken, *events[1:]])
    assert [index for index, _ in worker.refused] == [1]
    assert worker.outcomes == ["applied", "skipped", "applied", "applied"]  # skipped here: refused by the caller
    assert roll_up(rows).sums == one_by_one(events)
    assert 40 not in CaseRecord.from_json(worker.cases[events[0]["case_id"]]).revisions


def test_events_about_something_else_are_ignored() -> None:
    worker = Worker()
    worker.batch([{"event_type": "AuditRecorded", "case_id": "c-1"}])
    assert worker.outcomes == ["ignored"] and not worker.cases


def test_sums_rebuilt_from_the_table_equal_the_sums_kept_batch_by_batch() -> None:
    events = [*case4_events(), *transfer_case()]
    worker = Worker()
    for start in range(0, len(events), 4):
        worker.batch(events[start:start + 4])
    rebuilt = Partials()
    rebuilt.rebuild({0, 1, 2}, list(worker.cases.values()))
    assert rebuilt.units == worker.partials.units and rebuilt.months == worker.partials.months
    only_one = Partials()
    part = partition_of(events[0]["case_id"])
    only_one.rebuild({part}, list(worker.cases.values()))
    assert {key[0] for key in only_one.units} == {part}


def test_a_partial_row_survives_json_and_is_refused_when_impossible() -> None:
    row = PartialRow("4701", 2, 7, {}, "2026-12", {"2026-12-04": {"contacts": 2}})
    assert row.key == "district:4701:p2:2026-12"
    assert PartialRow.from_json(json.loads(json.dumps(row.as_json()))) == row
    whole = PartialRow("4701", 2, 3, {"registrants": 3})
    assert PartialRow.from_json(whole.as_json()) == whole and whole.as_json()["day"] is None
    assert TotalsRow("4701", None, 3, {"registrants": 3}, 2).key == "district:4701:p2"
    with pytest.raises(ValueError):
        PartialRow.from_json(whole.as_json() | {"figures": {"registrants": -1}})
    with pytest.raises(ValueError):
        PartialRow("4701", 2, 3, {"registrants": 2**63}).check()


# --- decoding --------------------------------------------------------------------------------------------


def carries(event_type: str, version: int) -> bool:
    return CASE_EVENTS.carries(event_type, version)


@pytest.mark.parametrize("event", [e for t in CASE_EVENTS.events for _, e in registry.examples(t, 1)][:40])
def test_the_fast_path_takes_what_the_contract_takes(event: Event) -> None:
    assert decode(json.dumps(event).encode(), carries) == codec.decode(json.dumps(event).encode())


@pytest.mark.parametrize("value", [
    None, b"not json", b"[1]", b'{"event_type": "CaseRegistered"}',
    json.dumps(example("CaseRegistered", "online.json") | {"principal_satang": "lots"}).encode(),
    json.dumps(example("CaseRegistered", "online.json") | {"debt_count": -1}).encode(),
    json.dumps(dict(registry.examples("AuditRecorded", 1))["case-read.json"]).encode(),  # not on case-events
])
def test_the_fast_path_refuses_what_the_contract_refuses_with_its_reason(value: bytes | None) -> None:
    with pytest.raises(codec.ContractError) as refused:
        decode(value, carries)
    if value is not None and b"AuditRecorded" not in value:
        with pytest.raises(codec.ContractError) as reason:
            codec.decode(value)
        assert str(refused.value) == str(reason.value)
