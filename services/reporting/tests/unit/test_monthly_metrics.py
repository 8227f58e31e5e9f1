"""The monthly cycle's metrics: what it counts as it happens, and the units it finds overdue at scrape time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prometheus_client import REGISTRY

from reporting.monthly import metrics
from reporting.monthly.periods import BANGKOK, Period

from .monthly_fakes import SmallAreas, World
from .test_monthly_cycle import DO, PO_47

OCTOBER, NOVEMBER = Period.parse("2026-10"), Period.parse("2026-11")


class Reports:
    """The two calls ``overdue_units`` makes of the reports collection."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs

    def find(self, query: dict[str, Any], projection: dict[str, int]) -> list[dict[str, Any]]:
        return [d for d in self.docs
                if d["period"] == query["period"]["$eq"] and d["state"] == query["state"]["$eq"]]


def count(state: str, timeliness: str, level: str = "district") -> float:
    found = REGISTRY.get_sample_value("monthly_reports_total",
                                      {"level": level, "state": state, "timeliness": timeliness})
    assert found is not None
    return found


def test_submissions_returns_and_overdue_flags_are_counted_by_state_and_timeliness() -> None:
    world = World()
    world.clock.now = datetime(2026, 11, 10, 9, 0, tzinfo=BANGKOK)
    before = {key: count(*key) for key in (("submitted", "on_time"), ("submitted", "late"), ("returned", "none"),
                                           ("overdue", "late"))}
    cycle = world.cycle()
    cycle.submit(DO["4701"], "4701", OCTOBER)  # 10 November: on time
    cycle.return_(PO_47, "4701", OCTOBER, "กรุณาแก้ไข")
    world.clock.now = datetime(2026, 12, 1, 0, 1, tzinfo=BANGKOK)
    cycle.submit(DO["4702"], "4702", OCTOBER)  # after the 30th: late
    assert cycle.check_overdue(OCTOBER) == 4  # 4701 (returned), 4703, 4801, 4802; 4702 submitted, late
    after = {key: count(*key) - before[key] for key in before}
    assert after == {("submitted", "on_time"): 1, ("submitted", "late"): 1, ("returned", "none"): 1,
                     ("overdue", "late"): 4}


def test_overdue_units_are_those_past_the_deadline_without_a_standing_submission() -> None:
    reports = Reports([{"unit_code": "4701", "period": "2026-10", "state": "submitted"},
                       {"unit_code": "4702", "period": "2026-10", "state": "returned"},
                       {"unit_code": "4801", "period": "2026-11", "state": "submitted"}])
    areas = SmallAreas()
    # 10 November: nothing is due yet.
    assert metrics.overdue_units(reports, OCTOBER, datetime(2026, 11, 10, tzinfo=BANGKOK), areas) == {}
    # 1 December: October's districts are due (4702 returned, 4703, 4801, 4802); provinces on 6 December.
    assert metrics.overdue_units(reports, OCTOBER, datetime(2026, 12, 1, 0, 1, tzinfo=BANGKOK), areas) == {
        ("district", "47"): 2, ("district", "48"): 2}
    # 31 December: November's districts too (4801 submitted it), and October's provinces.
    assert metrics.overdue_units(reports, OCTOBER, datetime(2026, 12, 31, tzinfo=BANGKOK), areas) == {
        ("district", "47"): 2 + 3, ("district", "48"): 2 + 1, ("province", "47"): 1, ("province", "48"): 1}
    # Months before the first tracked one do not count.
    assert metrics.overdue_units(reports, NOVEMBER, datetime(2026, 12, 31, tzinfo=BANGKOK), areas) == {
        ("district", "47"): 3, ("district", "48"): 1}
