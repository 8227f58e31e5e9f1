"""District sums: buckets, day rows and the rows a district publishes (reporting.totals.districts)."""

from __future__ import annotations

import pytest

from reporting.totals import districts as districts_module
from reporting.totals.cases import Happening, Statement
from reporting.totals.districts import (
    BUCKETS,
    DAY_PARTS,
    Bucket,
    DayRow,
    Districts,
    TotalsRow,
    UnitTotals,
    bucket_key,
    bucket_of,
    day_key,
    day_part_of,
)


def test_a_bucket_keeps_each_cases_latest_statement_and_their_sum() -> None:
    bucket = Bucket()
    bucket = bucket.apply(Statement("a", 1, "4701", {"registrants": 1, "debts": 2}))
    bucket = bucket.apply(Statement("b", 1, "4701", {"registrants": 1}))
    newer = bucket.apply(Statement("a", 3, "4701", {"registrants": 1, "debts": 5}))
    assert newer.totals == {"registrants": 2, "debts": 5} and newer.version == 4
    assert newer.apply(Statement("a", 2, "4701", {"registrants": 1})) is newer  # older: ignored
    assert newer.apply(Statement("a", 3, "4701", {"registrants": 1, "debts": 5})) is newer  # again: ignored
    gone = newer.apply(Statement("a", 4, "4701", {}))  # the case left the district
    assert gone.totals == {"registrants": 1}


def test_district_sums_notice_a_bucket_they_did_not_sum() -> None:
    districts = Districts({}, {})
    case_ids = [f"c-{n}" for n in range(1000)]
    for case_id in case_ids:
        districts.apply(Statement(case_id, 1, "4701", {"registrants": 1}))
    assert len({bucket_of(c) for c in case_ids}) > BUCKETS // 2  # spread over many buckets
    # Another worker, before a rebalance, moved one case on; this one's sums never saw that bucket change.
    key = bucket_key("4701", bucket_of("c-7"))
    districts.buckets[key] = Bucket.from_json(districts.buckets[key]).apply(
        Statement("c-7", 5, "4701", {"registrants": 1, "debts": 9})).as_json()
    sums = districts.sums["4701", None]
    stale = Bucket.from_json(districts.buckets[key])
    assert not sums.replace(bucket_of("c-7"), stale.version, stale.version, {}, {})
    _, row = districts.apply(Statement("c-7", 6, "4701", {"registrants": 1, "debts": 10}))
    assert row.figures == {"registrants": 1000, "debts": 10}
    assert row.version == 1000 - 1 + 6


def test_unit_totals_from_stored_buckets() -> None:
    buckets = {0: Bucket().apply(Statement("a", 2, "4701", {"debts": 2})),
               5: Bucket().apply(Statement("b", 1, "4701", {"debts": 1}))}
    totals = UnitTotals("4701", buckets)
    assert totals.row() == TotalsRow("4701", None, 3, {"debts": 3})


def test_a_districts_row_drops_the_figures_its_cases_no_longer_give() -> None:
    districts = Districts({}, {})
    districts.apply(Statement("a", 1, "4701", {"registrants": 1, "debts": 2}))
    districts.apply(Statement("b", 1, "4701", {"registrants": 1}))
    _, row = districts.apply(Statement("a", 2, "4701", {}))  # a moved away: its figures go, no zeros stay
    assert row == TotalsRow("4701", None, 3, {"registrants": 1})
    _, row = districts.apply(Statement("a", 3, "4701", {"registrants": 1, "closures": 1}))
    assert row == TotalsRow("4701", None, 4, {"registrants": 2, "closures": 1})
    assert row.figures == UnitTotals("4701", {n: Bucket.from_json(districts.buckets.get(bucket_key("4701", n)))
                                              for n in range(BUCKETS)}).row().figures


def test_a_day_row_counts_each_happening_once() -> None:
    happening = Happening("a", 3, "4701", "2026-12-04", {"contacts": 1})
    row = DayRow().apply(happening).apply(Happening("b", 2, "4701", "2026-12-04", {"contacts": 1}))
    assert row.apply(happening) is row
    assert row.totals == {"contacts": 2} and row.version == 2


def test_a_districts_day_is_the_sum_of_its_day_rows() -> None:
    districts = Districts({}, {})
    for n in range(200):
        districts.apply(Happening(f"c-{n}", 1, "4701", "2026-12-04", {"registrations": 1}))
    districts.apply(Happening("c-0", 1, "4701", "2026-12-04", {"registrations": 1}))  # again: counted once
    _, row = districts.apply(Happening("c-0", 2, "4701", "2026-12-04", {"contacts": 1}))
    assert row == TotalsRow("4701", "2026-12-04", 201, {"registrations": 200, "contacts": 1})
    parts = {day_part_of(f"c-{n}") for n in range(200)}
    assert len(parts) == DAY_PARTS  # spread over every part, none holding the whole day
    assert all(len(DayRow.from_json(districts.days.get(day_key("4701", "2026-12-04", n))).seen) < 40 for n in parts)


def test_day_sums_notice_a_day_row_they_did_not_sum() -> None:
    districts = Districts({}, {})
    for n in range(50):
        districts.apply(Happening(f"c-{n}", 1, "4701", "2026-12-04", {"contacts": 1}))
    # Another worker, before a rebalance, counted one more happening in one of the day's rows.
    key = day_key("4701", "2026-12-04", day_part_of("c-7"))
    districts.days[key] = DayRow.from_json(districts.days[key]).apply(
        Happening("c-7", 2, "4701", "2026-12-04", {"contacts": 1})).as_json()
    stale = DayRow.from_json(districts.days[key])
    sums = districts.sums["4701", "2026-12-04"]
    assert not sums.replace(day_part_of("c-7"), stale.version, stale.version, {}, {})
    _, row = districts.apply(Happening("c-7", 3, "4701", "2026-12-04", {"contacts": 1}))
    assert row == TotalsRow("4701", "2026-12-04", 52, {"contacts": 52})


def test_day_sums_forgotten_beyond_the_memory_bound_are_rebuilt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(districts_module, "SUMS_IN_MEMORY", 2)
    districts = Districts({}, {})
    days = ["2026-12-01", "2026-12-02", "2026-12-03"]
    for day in days:
        districts.apply(Happening("a", 1, "4701", day, {"contacts": 1}))
    assert list(districts.sums) == [("4701", "2026-12-02"), ("4701", "2026-12-03")]
    _, row = districts.apply(Happening("b", 1, "4701", "2026-12-01", {"contacts": 1}))  # rebuilt from its rows
    assert row == TotalsRow("4701", "2026-12-01", 2, {"contacts": 2})
    assert list(districts.sums) == [("4701", "2026-12-03"), ("4701", "2026-12-01")]
