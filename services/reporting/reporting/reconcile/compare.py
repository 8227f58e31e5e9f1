"""Recomputed totals against the live ones: every difference by unit and figure, and which of them are real.
Pure: no I/O.

The live totals lag registration a little (outbox relay, the worker, the ``totals`` topic), and the export
itself is read over a while, so a difference seen once may be a change in flight. A run therefore reads
twice when the first read differs: after a pause it reads the export again and compares again. A difference
is *confirmed* when the same unit and figure differ by the same amount both times (a change in flight moves
the amount, or closes the gap); whatever differs only once, or by a different amount, is *unsettled* and
left to the next run, which will confirm it if it stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from reporting.totals.figures import FIGURES

LEVELS = ("nation", "province", "district")


class Totals(Protocol):
    """What both sides answer: the live ``TotalsView`` and the recomputed totals."""

    def figures(self, level: str, code: str) -> dict[str, int]: ...

    def units(self, level: str, parent: str = "") -> list[str]: ...


@dataclass(frozen=True, order=True)
class Difference:
    level: str
    code: str  # "" for the nation
    figure: str
    expected: int  # recomputed from registration's cases (the source of truth)
    live: int  # what the live totals say

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.level, self.code, self.figure)

    @property
    def delta(self) -> int:
        return self.live - self.expected

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "delta": self.delta}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Difference:
        return cls(str(raw["level"]), str(raw["code"]), str(raw["figure"]), int(raw["expected"]), int(raw["live"]))


def _units(expected: Totals, live: Totals) -> Iterable[tuple[str, str]]:
    yield ("nation", "")
    for province in sorted(set(expected.units("province")) | set(live.units("province"))):
        yield ("province", province)
    for district in sorted(set(expected.units("district")) | set(live.units("district"))):
        yield ("district", district)


def differences(expected: Totals, live: Totals) -> list[Difference]:
    """Every (unit, figure) where the live totals and the recomputed ones disagree (a missing figure is 0)."""
    found = []
    for level, code in _units(expected, live):
        want, have = expected.figures(level, code), live.figures(level, code)
        for figure in sorted(set(want) | set(have), key=_figure_order):
            if want.get(figure, 0) != have.get(figure, 0):
                found.append(Difference(level, code, figure, want.get(figure, 0), have.get(figure, 0)))
    return found


def _figure_order(name: str) -> tuple[int, str]:
    order = list(FIGURES)
    return (order.index(name), name) if name in FIGURES else (len(order), name)


@dataclass(frozen=True)
class Settled:
    confirmed: list[Difference]  # the same both times: real
    unsettled: list[Difference]  # seen in the second read, not the same as in the first: maybe in flight


def settle(first: list[Difference], second: list[Difference]) -> Settled:
    """Confirms the differences of the second read that the first read saw with the same amount."""
    before = {d.key: d.delta for d in first}
    confirmed = [d for d in second if before.get(d.key) == d.delta]
    unsettled = [d for d in second if before.get(d.key) != d.delta]
    return Settled(confirmed, unsettled)
