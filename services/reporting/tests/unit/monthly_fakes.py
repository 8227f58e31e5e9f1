"""In-memory stand-ins for the monthly cycle's store and live totals (unit tests only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from contracts import codec
from reporting.monthly.areas import Unit
from reporting.monthly.cycle import MonthlyCycle
from reporting.monthly.periods import Period
from reporting.monthly.report import Report
from reporting.monthly.store import StaleReport
from reporting.totals.districts import TotalsRow
from reporting.totals.figures import NATION
from reporting.totals.rollup import RollUp


class MemoryReports:
    def __init__(self) -> None:
        self.reports: dict[str, Report] = {}
        self.flagged: dict[str, set[str]] = {}
        self.outbox: list[codec.Event] = []

    def get(self, report_id: str) -> Report | None:
        return self.reports.get(report_id)

    def of_period(self, period: Period, province_code: str | None = None) -> list[Report]:
        return [r for r in self.reports.values()
                if r.period == period and (province_code is None or r.province_code == province_code)]

    def save(self, report: Report, events: Iterable[codec.Event], now: datetime) -> None:
        held = self.reports.get(report.id)
        if (held.revision if held else 0) != report.revision - 1:
            raise StaleReport(report.id)
        self.reports[report.id] = report
        self.outbox.extend(events)

    def overdue_flagged(self, period: Period) -> set[str]:
        return set(self.flagged.get(period.key, set()))

    def flag_overdue(self, period: Period, flagged: list[tuple[str, codec.Event]], now: datetime) -> None:
        self.flagged.setdefault(period.key, set()).update(rid for rid, _ in flagged)
        self.outbox.extend(e for _, e in flagged)


class RollUpTotals:
    """The TotalsView interface over a RollUp (the nation's code is "" here, as in the view)."""

    def __init__(self) -> None:
        self.rollup = RollUp()
        self.versions: dict[str, int] = {}

    def set(self, district: str, figures: dict[str, int], day: str | None = None) -> None:
        key = f"{district}:{day}"
        self.versions[key] = self.versions.get(key, 0) + 1
        self.rollup.apply(TotalsRow(district, day, self.versions[key], figures))

    def figures(self, level: str, code: str, day: str | None = None) -> dict[str, int]:
        return self.rollup.figures(level, NATION if level == "nation" else code, day)

    def days(self, level: str, code: str) -> list[str]:
        return self.rollup.days(level, NATION if level == "nation" else code)


class SmallAreas:
    """Two provinces: 47 with three districts, 48 with two."""

    PROVINCES: ClassVar[tuple[Unit, ...]] = (
        Unit("47", "สกลนคร", "Sakon Nakhon"), Unit("48", "นครพนม", "Nakhon Phanom"))
    DISTRICTS: ClassVar[dict[str, tuple[Unit, ...]]] = {
        "47": (Unit("4701", "เมืองสกลนคร", "Mueang Sakon Nakhon"), Unit("4702", "กุสุมาลย์", "Kusuman"),
               Unit("4703", "กุดบาก", "Kut Bak")),
        "48": (Unit("4801", "เมืองนครพนม", "Mueang Nakhon Phanom"), Unit("4802", "ปลาปาก", "Pla Pak")),
    }

    def provinces(self) -> tuple[Unit, ...]:
        return self.PROVINCES

    def districts(self, province_code: str) -> tuple[Unit, ...]:
        return self.DISTRICTS.get(province_code, ())

    def unit(self, code: str) -> Unit | None:
        pool = self.PROVINCES if len(code) == 2 else self.DISTRICTS.get(code[:2], ())
        return next((u for u in pool if u.code == code), None)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    store: MemoryReports = field(default_factory=MemoryReports)
    totals: RollUpTotals = field(default_factory=RollUpTotals)
    clock: Clock = field(default_factory=lambda: Clock(datetime(2026, 11, 15, 10, 0).astimezone()))
    commits: list[int] = field(default_factory=list)

    def cycle(self) -> MonthlyCycle:
        return MonthlyCycle(self.store, lambda: self.totals, SmallAreas(), self.clock,
                            on_commit=lambda: self.commits.append(1))
