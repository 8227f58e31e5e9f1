"""Prometheus: the last reconciliation's findings, for alerting (``reconciliation_differences > 0``, or the last
success too long ago)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from reporting.reconcile.compare import LEVELS
from reporting.reconcile.result import RunResult

DIFFERENCES = Gauge("reconciliation_differences",
                    "Confirmed differences (unit x figure) between the live totals and the totals recomputed from "
                    "registration, in the last successful reconciliation", ["level"])
UNSETTLED = Gauge("reconciliation_unsettled", "Differences seen but not confirmed (maybe in flight) in the last "
                  "successful reconciliation")
LAST_SUCCESS = Gauge("reconciliation_last_success_timestamp_seconds",
                     "When the last successful reconciliation finished (Unix time)")
CASES_READ = Gauge("reconciliation_cases_read", "Cases read from registration's export by the last successful run")
DURATION = Gauge("reconciliation_duration_seconds", "How long the last reconciliation run took")
RUNS = Counter("reconciliation_runs_total", "Reconciliation runs, by outcome", ["outcome"])


def observe(result: RunResult) -> None:
    RUNS.labels(result.outcome).inc()
    if result.duration_s is not None:
        DURATION.set(result.duration_s)
    if result.outcome != "succeeded" or result.finished_at is None:
        return
    for level in LEVELS:
        DIFFERENCES.labels(level).set(result.by_level.get(level, 0))
    UNSETTLED.set(result.unsettled_total)
    CASES_READ.set(result.cases_read)
    LAST_SUCCESS.set(result.finished_at.timestamp())
