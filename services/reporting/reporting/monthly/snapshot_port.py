"""The monthly cycle's answer to ``reporting.snapshots.SubmittedFigures``: a unit's standing submitted figures for
a month, read from the reports store (the rules are in ``reporting/snapshots.py``'s docstring)."""

from __future__ import annotations

from typing import Protocol

from pymongo.database import Database

from reporting.monthly.areas import Areas
from reporting.monthly.cycle import AreaSource
from reporting.monthly.periods import BadPeriod, Period
from reporting.monthly.report import Report, Submission, report_id
from reporting.monthly.store import Doc, MongoReports
from reporting.outbox import Outbox
from reporting.snapshots import Snapshot


class ReportReader(Protocol):
    def get(self, report_id: str) -> Report | None: ...
    def of_period(self, period: Period, province_code: str | None = None) -> list[Report]: ...


def _snapshot(report: Report, submission: Submission, children: tuple[Snapshot, ...] = ()) -> Snapshot:
    return Snapshot(report.level, report.unit_code, report.period.key, submission.version, submission.submitted_at,
                    dict(submission.figures), dict(submission.activity), children)


def _version(report: Report, version: int) -> Submission | None:
    return next((s for s in report.submissions if s.version == version), None)


def _standing(report: Report | None) -> Submission | None:
    return report.latest if report is not None and report.state == "submitted" else None


class MonthlySnapshots:
    def __init__(self, reports: ReportReader, areas: AreaSource | None = None) -> None:
        self.reports, self.areas = reports, areas or Areas()

    def figures_for(self, level: str, code: str, month: str) -> Snapshot | None:
        try:
            period = Period.parse(month)
        except BadPeriod:
            return None
        if level == "district" and len(code) == 4:
            return self._district(code, period)
        if level == "province" and len(code) == 2:
            return self._province(self.reports.get(report_id(code, period)),
                                  {r.unit_code: r for r in self.reports.of_period(period, code)})
        if level == "nation":
            return self._nation(period)
        return None

    def _district(self, code: str, period: Period) -> Snapshot | None:
        report = self.reports.get(report_id(code, period))
        standing = _standing(report)
        if report is None or standing is None:
            return None
        accepted = _standing(self.reports.get(report_id(code[:2], period)))
        if accepted is not None and code in accepted.districts:
            standing = _version(report, accepted.districts[code]) or standing
        return _snapshot(report, standing)

    def _province(self, report: Report | None, held: dict[str, Report]) -> Snapshot | None:
        standing = _standing(report)
        if report is None or standing is None:
            return None
        children = []
        for district, version in sorted(standing.districts.items()):
            included = held.get(district)
            submission = _version(included, version) if included is not None else None
            if included is not None and submission is not None:
                children.append(_snapshot(included, submission))
        return _snapshot(report, standing, tuple(children))

    def _nation(self, period: Period) -> Snapshot | None:
        held = {r.unit_code: r for r in self.reports.of_period(period)}
        provinces = []
        for unit in self.areas.provinces():
            found = _standing(held.get(unit.code))
            if found is None:
                return None  # the nation's report stands once every province's does
            provinces.append(_snapshot(held[unit.code], found))
        if not provinces:
            return None
        figures: dict[str, int] = {}
        activity: dict[str, int] = {}
        for province in provinces:
            for total, part in ((figures, province.figures), (activity, province.activity)):
                for name, value in part.items():
                    total[name] = total.get(name, 0) + value
        return Snapshot("nation", "TH", period.key, None, max(p.submitted_at for p in provinces), figures, activity,
                        tuple(provinces))


def submitted_figures(db: Database[Doc]) -> MonthlySnapshots:
    """The port over reporting's MongoDB (it only reads; the outbox it is built with is never written)."""
    return MonthlySnapshots(MongoReports(db, Outbox(db, "monthly_outbox")))
