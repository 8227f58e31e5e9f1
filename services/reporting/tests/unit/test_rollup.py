"""Province and national totals from district rows (reporting.totals.rollup)."""

from __future__ import annotations

from reporting.totals.districts import TotalsRow
from reporting.totals.figures import NATION
from reporting.totals.rollup import RollUp


def test_the_roll_up_keeps_each_districts_newest_row() -> None:
    rollup = RollUp()
    assert rollup.apply(TotalsRow("4701", None, 2, {"registrants": 2}))
    assert rollup.apply(TotalsRow("4702", None, 1, {"registrants": 1}))
    assert not rollup.apply(TotalsRow("4701", None, 1, {"registrants": 1}))  # older, read late
    assert not rollup.apply(TotalsRow("4701", None, 2, {"registrants": 2}))  # again
    assert rollup.apply(TotalsRow("4701", None, 3, {"registrants": 1}))
    assert rollup.apply(TotalsRow("4801", "2026-12-04", 1, {"contacts": 1}))
    assert rollup.figures("province", "47") == {"registrants": 2}
    assert rollup.figures("nation", NATION) == {"registrants": 2}
    assert rollup.figures("nation", NATION, "2026-12-04") == {"contacts": 1}
    assert rollup.days("province", "48") == ["2026-12-04"]
    assert TotalsRow.from_json(TotalsRow("4801", "2026-12-04", 1, {"contacts": 1}).as_json()).key == \
        "district:4801:2026-12-04"
