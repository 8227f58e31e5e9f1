"""The rows of the ``totals`` topic as readers take them: a district's figures (all-time or one day's), whole or
one partition's share (the batch worker's, ``reporting.totals.partials``, which also writes the month rows the
reader turns into day rows: ``reporting.totals.view.rows_of``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reporting.totals.figures import DAILY, FIGURES, checked, plausible


@dataclass(frozen=True)
class TotalsRow:
    """What the ``totals`` topic carries: a district's figures (all-time, or one day's), absolute, with a
    version that grows with every change, so a reader keeps the highest it has seen."""

    district: str
    day: str | None
    version: int
    figures: Mapping[str, int]
    part: int | None = None  # the case-events partition whose share this is (``partials``); None: all of it

    @property
    def key(self) -> str:
        part = f":p{self.part}" if self.part is not None else ""
        return f"district:{self.district}{part}" + (f":{self.day}" if self.day else "")

    def as_json(self) -> dict[str, Any]:
        return {"level": "district", "code": self.district, "province_code": self.district[:2], "day": self.day,
                "version": self.version, "figures": dict(self.figures)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> TotalsRow:
        day = raw["day"]
        names = DAILY if day else FIGURES
        return cls(raw["code"], day, plausible("version", raw["version"]), checked(raw["figures"], names))
