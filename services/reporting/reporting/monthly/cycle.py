"""The monthly cycle's use cases: read a report (with the live figures it would freeze), submit, return, the
completeness board and the overdue check. Access decisions come from ``contracts.access`` (block "Monthly
reports"); storage and totals come in through the small protocols below, so the tests use in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from contracts import codec
from contracts.access import (
    may_read_monthly_report,
    may_return_monthly_report,
    may_submit_monthly_report,
    monthly_board_scope,
    worklist_scope,
)
from contracts.claims import Claims
from reporting.monthly import events, metrics
from reporting.monthly.areas import Unit
from reporting.monthly.periods import Period, fiscal_year_periods
from reporting.monthly.report import Level, Refused, Report, level_of, overdue, report_id, return_report, submit

Clock = Callable[[], datetime]


class TotalsSource(Protocol):
    """What the cycle reads of the live totals (``reporting.totals.view.TotalsView`` has it)."""

    def figures(self, level: str, code: str, day: str | None = None) -> dict[str, int]: ...
    def days(self, level: str, code: str) -> list[str]: ...


class AreaSource(Protocol):
    def provinces(self) -> tuple[Unit, ...]: ...
    def districts(self, province_code: str) -> tuple[Unit, ...]: ...
    def unit(self, code: str) -> Unit | None: ...


class ReportStore(Protocol):
    def get(self, report_id: str) -> Report | None: ...
    def of_period(self, period: Period, province_code: str | None = None) -> list[Report]: ...
    def save(self, report: Report, events: Iterable[codec.Event], now: datetime) -> None: ...
    def overdue_flagged(self, period: Period) -> set[str]: ...
    def flag_overdue(self, period: Period, flagged: list[tuple[str, codec.Event]], now: datetime) -> None: ...


FORBIDDEN = ("access.forbidden", "ท่านไม่มีสิทธิ์ดำเนินการกับรายงานของหน่วยนี้", "You may not do this with this unit's report.")


def _forbidden() -> Refused:
    return Refused(*FORBIDDEN, status=403)


@dataclass(frozen=True)
class ReportView:
    report: Report
    unit: Unit
    live_figures: Mapping[str, int]
    live_activity: Mapping[str, int]
    districts: tuple[tuple[Unit, Report], ...] = ()  # a province's: each district's report
    may_submit: bool = False
    may_return: bool = False


@dataclass(frozen=True)
class BoardRow:
    unit: Unit
    state: str  # the unit's own report
    timeliness: str | None  # of its first submission
    submitted_at: datetime | None  # of its latest submission
    expected: int = 0  # nation board: the province's districts
    submitted: int = 0
    on_time: int = 0
    late: int = 0
    returned: int = 0

    @property
    def reporting_rate(self) -> float | None:
        return round(100 * self.submitted / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None


@dataclass(frozen=True)
class Board:
    period: Period
    level: str  # "nation" (rows: provinces) or "province" (rows: districts)
    code: str
    rows: list[BoardRow]
    expected: int
    submitted: int
    on_time: int
    late: int
    returned: int
    provinces_submitted: int = 0  # nation board: provinces whose own report stands submitted

    @property
    def reporting_rate(self) -> float:
        return round(100 * self.submitted / self.expected, 1) if self.expected else 0.0

    @property
    def on_time_rate(self) -> float:
        return round(100 * self.on_time / self.expected, 1) if self.expected else 0.0


SORTS: dict[str, Callable[[BoardRow], Any]] = {
    "code": lambda r: r.unit.code,
    "name": lambda r: r.unit.name_th,
    "state": lambda r: (r.state, r.unit.code),
    "rate": lambda r: (r.reporting_rate if r.expected else (1.0 if r.state == "submitted" else 0.0), r.unit.code),
    "on_time": lambda r: (r.on_time_rate if r.expected else (1.0 if r.timeliness == "on_time" else 0.0), r.unit.code),
    "submitted_at": lambda r: (r.submitted_at is None, r.submitted_at or datetime.min.replace(tzinfo=UTC)),
}


@dataclass
class MonthlyCycle:
    store: ReportStore
    totals: Callable[[], TotalsSource]  # the live view, looked up at each use (it is built in the lifespan)
    areas: AreaSource
    clock: Clock = field(default=lambda: datetime.now(UTC))
    on_commit: Callable[[], None] = field(default=lambda: None)  # wakes the outbox relay

    # --- reading -----------------------------------------------------------------------------------------

    def _unit(self, unit_code: str) -> Unit:
        unit = self.areas.unit(unit_code) if len(unit_code) in (2, 4) else None
        if unit is None:
            raise Refused("report.unit_unknown", "ไม่พบหน่วยนี้ (รหัสจังหวัดหรืออำเภอไม่ถูกต้อง)",
                          "No such province or district.", status=404)
        return unit

    def _report(self, unit_code: str, period: Period) -> Report:
        return self.store.get(report_id(unit_code, period)) or Report(unit_code, period)

    def live(self, unit_code: str, period: Period) -> tuple[dict[str, int], dict[str, int]]:
        """The cumulative figures now, and the month's activity (its days of the daily series, summed)."""
        level, totals = level_of(unit_code), self.totals()
        activity: dict[str, int] = {}
        for day in totals.days(level, unit_code):
            if day.startswith(period.key + "-"):
                for name, value in totals.figures(level, unit_code, day).items():
                    activity[name] = activity.get(name, 0) + value
        return totals.figures(level, unit_code), activity

    def _districts(self, province_code: str, period: Period) -> tuple[tuple[Unit, Report], ...]:
        held = {r.unit_code: r for r in self.store.of_period(period, province_code) if r.level == "district"}
        return tuple((u, held.get(u.code) or Report(u.code, period)) for u in self.areas.districts(province_code))

    def periods(self, claims: Claims, fiscal_year: int | None = None) -> list[Period]:
        """The months of a fiscal year (default: the current one), for whoever takes part in the cycle."""
        if worklist_scope(claims) is None:
            raise _forbidden()
        return fiscal_year_periods(fiscal_year or Period.containing(self.clock()).fiscal_year)

    def view(self, claims: Claims, unit_code: str, period: Period) -> ReportView:
        if len(unit_code) not in (2, 4) or not may_read_monthly_report(claims, unit_code):
            raise _forbidden()
        unit = self._unit(unit_code)
        report = self._report(unit_code, period)
        figures, activity = self.live(unit_code, period)
        districts = self._districts(unit_code, period) if report.level == "province" else ()
        return ReportView(report, unit, figures, activity, districts,
                          may_submit=may_submit_monthly_report(claims, unit_code),
                          may_return=may_return_monthly_report(claims, unit_code))

    # --- changing ----------------------------------------------------------------------------------------

    def submit(self, claims: Claims, unit_code: str, period: Period) -> Report:
        if not may_submit_monthly_report(claims, unit_code):
            raise _forbidden()
        self._unit(unit_code)
        now = self.clock()
        report = self._report(unit_code, period)
        figures, activity = self.live(unit_code, period)
        district_states: dict[str, Report] = {}
        expected: tuple[str, ...] = ()
        if report.level == "province":
            pairs = self._districts(unit_code, period)
            district_states = {u.code: r for u, r in pairs}
            expected = tuple(u.code for u, _ in pairs)
        changed = submit(report, now=now, by=claims.sub, figures=figures, activity=activity,
                         district_states=district_states, expected_districts=expected)
        self.store.save(changed, [events.submitted(changed)], now)
        self.on_commit()
        metrics.submitted(changed)
        return changed

    def return_(self, claims: Claims, unit_code: str, period: Period, reason: str) -> Report:
        if not may_return_monthly_report(claims, unit_code):
            raise _forbidden()
        self._unit(unit_code)
        now = self.clock()
        report = self._report(unit_code, period)
        locked = False
        if report.level == "district":
            province = self.store.get(report_id(unit_code[:2], period))
            locked = province is not None and province.state == "submitted"
        changed = return_report(report, now=now, by=claims.sub, reason=reason, locked_by_province=locked)
        self.store.save(changed, [events.returned(changed)], now)
        self.on_commit()
        metrics.returned(changed)
        return changed

    # --- the completeness board ----------------------------------------------------------------------------

    def board(self, claims: Claims, period: Period, sort: str = "code", province: str | None = None) -> Board:
        scope = monthly_board_scope(claims)
        if scope is None:
            raise _forbidden()
        level, code = scope
        if province is not None and (level == "nation" or province == code):
            level, code = "province", province
        elif province is not None:
            raise _forbidden()
        key, descending = sort.removeprefix("-"), sort.startswith("-")
        if key not in SORTS:
            raise Refused("board.sort", "เรียงลำดับได้ตาม: " + ", ".join(SORTS), "Sort by one of: " + ", ".join(SORTS),
                          status=422, field="sort")
        board = self._province_board(period, code) if level == "province" else self._nation_board(period)
        board.rows.sort(key=SORTS[key], reverse=descending)
        return board

    def _province_board(self, period: Period, province_code: str) -> Board:
        self._unit(province_code)
        rows = [BoardRow(u, r.state, r.first_timeliness, r.latest.submitted_at if r.latest else None)
                for u, r in self._districts(province_code, period)]
        return Board(period, "province", province_code, rows, expected=len(rows),
                     submitted=sum(r.state == "submitted" for r in rows),
                     on_time=sum(r.timeliness == "on_time" for r in rows),
                     late=sum(r.timeliness == "late" for r in rows),
                     returned=sum(r.state == "returned" for r in rows))

    def _nation_board(self, period: Period) -> Board:
        by_unit = {r.unit_code: r for r in self.store.of_period(period)}
        rows: list[BoardRow] = []
        for province in self.areas.provinces():
            own = by_unit.get(province.code) or Report(province.code, period)
            districts = [by_unit.get(d.code) or Report(d.code, period) for d in self.areas.districts(province.code)]
            rows.append(BoardRow(
                province, own.state, own.first_timeliness, own.latest.submitted_at if own.latest else None,
                expected=len(districts), submitted=sum(r.state == "submitted" for r in districts),
                on_time=sum(r.first_timeliness == "on_time" for r in districts),
                late=sum(r.first_timeliness == "late" for r in districts),
                returned=sum(r.state == "returned" for r in districts)))
        return Board(period, "nation", "TH", rows, expected=sum(r.expected for r in rows),
                     submitted=sum(r.submitted for r in rows), on_time=sum(r.on_time for r in rows),
                     late=sum(r.late for r in rows), returned=sum(r.returned for r in rows),
                     provinces_submitted=sum(r.state == "submitted" for r in rows))

    # --- overdue -------------------------------------------------------------------------------------------

    def check_overdue(self, first_period: Period, *, months_back: int = 12) -> int:
        """Emits ReportOverdue once per unit and period for every report past its deadline without a standing
        submission, for periods from ``first_period`` (at most ``months_back`` months ago). Returns how many."""
        now = self.clock()
        latest = Period.containing(now).following(-1)
        start = max(first_period, latest.following(1 - months_back))
        count, period = 0, start
        while period <= latest:
            count += self._overdue_in(period, now)
            period = period.following(1)
        if count:
            self.on_commit()
        return count

    def _overdue_in(self, period: Period, now: datetime) -> int:
        levels: list[Level] = [lv for lv in ("district", "province") if now > period.deadline(lv)]
        if not levels:
            return 0
        held = {r.id: r for r in self.store.of_period(period)}
        flagged = self.store.overdue_flagged(period)
        found: list[tuple[str, codec.Event]] = []
        for province in self.areas.provinces():
            units = [*(self.areas.districts(province.code) if "district" in levels else ()),
                     *((province,) if "province" in levels else ())]
            for unit in units:
                rid = report_id(unit.code, period)
                report = held.get(rid)
                if rid not in flagged and overdue(report, now, period, level_of(unit.code)):
                    found.append((rid, events.overdue(report or Report(unit.code, period))))
        self.store.flag_overdue(period, found, now)
        metrics.flagged_overdue([rid for rid, _ in found])
        return len(found)
