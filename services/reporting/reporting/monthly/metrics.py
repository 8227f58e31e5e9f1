"""The monthly cycle's figures for Prometheus.

``monthly_reports_total{level, state, timeliness}`` counts what happened: submissions (on time or late),
returns, and reports flagged overdue (one ReportOverdue per unit and month). ``monthly_reports_overdue{level,
province}`` is what stands now: units whose report is past its deadline without a standing submission (never
submitted, or returned and not resubmitted), in the months the overdue check looks at (from the first tracked
month, at most twelve back). It is read from MongoDB at scrape time, bounded by a short timeout, so it drops as
soon as a unit submits; when MongoDB does not answer in time the series are left out of that scrape.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol

import pymongo
from prometheus_client import REGISTRY, Counter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from pymongo.collection import Collection

from contracts.outbox_metrics import watch_outbox
from reporting.monthly.areas import Areas, Unit
from reporting.monthly.periods import Period
from reporting.monthly.report import Level, Report

log = logging.getLogger(__name__)
LEVELS: tuple[Level, ...] = ("district", "province")
MONTHS_BACK = 12  # as MonthlyCycle.check_overdue
TIMEOUT_S = 1.0

REPORTS = Counter("monthly_reports_total", "Monthly report changes: state submitted (timeliness on_time or late), "
                  "returned (timeliness none) or overdue (flagged past the deadline; timeliness late)",
                  ["level", "state", "timeliness"])
for _level in LEVELS:
    for _state, _timeliness in (("submitted", "on_time"), ("submitted", "late"), ("returned", "none"),
                                ("overdue", "late")):
        REPORTS.labels(_level, _state, _timeliness)


def submitted(report: Report) -> None:
    if report.latest is not None:
        REPORTS.labels(report.level, "submitted", report.latest.timeliness).inc()


def returned(report: Report) -> None:
    REPORTS.labels(report.level, "returned", "none").inc()


def flagged_overdue(report_ids: list[str]) -> None:
    """``report_ids`` as ``reporting.monthly.report.report_id`` makes them: ``<level>:<unit>:<period>``."""
    for rid in report_ids:
        REPORTS.labels(rid.split(":", 1)[0], "overdue", "late").inc()


OVERDUE = "monthly_reports_overdue"
OVERDUE_HELP = ("Units whose monthly report is past its deadline without a standing submission, by level and "
                "province (months from the first tracked one, at most twelve back; read at scrape time)")


def tracked_periods(first: Period, now: datetime) -> list[Period]:
    latest = Period.containing(now).following(-1)
    period, found = max(first, latest.following(1 - MONTHS_BACK)), []
    while period <= latest:
        found.append(period)
        period = period.following(1)
    return found


class UnitSource(Protocol):  # reporting.monthly.areas.Areas, or a small one in tests
    def provinces(self) -> tuple[Unit, ...]: ...
    def districts(self, province_code: str) -> tuple[Unit, ...]: ...


def overdue_units(reports: Collection[Any], first: Period, now: datetime, areas: UnitSource,
                  timeout: float = TIMEOUT_S) -> dict[tuple[Level, str], int]:
    """``{(level, province_code): units overdue}``; only levels with a deadline passed in a tracked month."""
    counts: dict[tuple[Level, str], int] = {}
    with pymongo.timeout(timeout):
        for period in tracked_periods(first, now):
            levels = [level for level in LEVELS if now > period.deadline(level)]
            if not levels:
                continue
            done = {d["unit_code"] for d in reports.find(
                {"period": {"$eq": period.key}, "state": {"$eq": "submitted"}}, {"unit_code": 1})}
            for province in areas.provinces():
                for level in levels:
                    units = areas.districts(province.code) if level == "district" else (province,)
                    late = sum(unit.code not in done for unit in units)
                    counts[(level, province.code)] = counts.get((level, province.code), 0) + late
    return counts


class OverdueCollector(Collector):
    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.clock = clock
        self._source: tuple[Collection[Any], Period] | None = None
        self._lock = threading.Lock()
        self._failing = False

    def watch(self, reports: Collection[Any], first: Period) -> Callable[[], None]:
        source = (reports, first)
        with self._lock:
            self._source = source

        def forget() -> None:
            with self._lock:
                if self._source is source:
                    self._source = None

        return forget

    def describe(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(OVERDUE, OVERDUE_HELP, labels=["level", "province"])

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(OVERDUE, OVERDUE_HELP, labels=["level", "province"])
        with self._lock:
            source = self._source
        if source is not None:
            try:
                counts = overdue_units(*source, self.clock(), Areas())
            except Exception as exc:  # noqa: BLE001 - a scrape must not fail because MongoDB is slow or down
                if not self._failing:
                    log.warning("overdue reports not counted: MongoDB did not answer (%s)", exc)
                self._failing = True
            else:
                self._failing = False
                for (level, province), count in sorted(counts.items()):
                    family.add_metric([level, province], count)
        yield family


OVERDUE_REPORTS = OverdueCollector()
REGISTRY.register(OVERDUE_REPORTS)


def watch(reports: Collection[Any], outbox: Collection[Any], first: Period) -> Callable[[], None]:
    """In the monthly cycle's lifespan: its overdue units and its outbox's backlog; returns the call that stops."""
    forget_overdue = OVERDUE_REPORTS.watch(reports, first)
    forget_outbox = watch_outbox("reporting", outbox)

    def forget() -> None:
        forget_overdue()
        forget_outbox()

    return forget
