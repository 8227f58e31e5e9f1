"""Province and national totals, summed from district rows by whoever reads the ``totals`` topic."""

from __future__ import annotations

from collections.abc import Iterable

from reporting.totals.districts import TotalsRow
from reporting.totals.figures import NATION, add, diff


class RollUp:
    """District, province and national figures (all-time and by day) from district rows, kept current by
    replacing each district's row with a newer one: rows may be read again, out of order, any number of
    times. Province and nation are sums, so they never need their own stored state."""

    def __init__(self) -> None:
        self.rows: dict[str, TotalsRow] = {}
        self.sums: dict[tuple[str, str, str | None], dict[str, int]] = {}

    def apply(self, row: TotalsRow) -> bool:
        """False when ``row`` is older than the one held, or says the same. At an equal version the row read
        later wins: one worker's rows at one version are equal (``totals.cases``, 3.), so this changes nothing,
        except after a rebuild under a new app id whose rules changed a figure — its rows, published after the
        old ones, replace them once they reach the same version (and, lower, never show a half-rebuilt unit)."""
        held = self.rows.get(row.key)
        if held is not None and (held.version > row.version
                                 or (held.version == row.version and held.figures == row.figures)):
            return False
        change = diff(held.figures if held else {}, row.figures)
        self.rows[row.key] = row
        for unit in (("district", row.district), ("province", row.district[:2]), ("nation", NATION)):
            key = (*unit, row.day)
            self.sums[key] = add(self.sums.get(key, {}), change)
        return True

    def figures(self, level: str, code: str, day: str | None = None) -> dict[str, int]:
        return dict(self.sums.get((level, code, day), {}))

    def days(self, level: str, code: str) -> list[str]:
        return sorted(d for (lv, c, d) in self.sums if lv == level and c == code and d is not None)


def roll_up(rows: Iterable[TotalsRow]) -> RollUp:
    rollup = RollUp()
    for row in rows:
        rollup.apply(row)
    return rollup
