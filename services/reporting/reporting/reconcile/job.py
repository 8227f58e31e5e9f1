"""One reconciliation run (the use case): read the export, recompute, compare with the live totals, and if
they differ read and compare once more after a pause (``compare.settle``); store the result either way.

Blocking (HTTP and MongoDB): the web process runs it in a thread (``runner.py``), one run at a time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Protocol

from reporting.reconcile import metrics
from reporting.reconcile.compare import Totals, differences, settle
from reporting.reconcile.recompute import Line, Recomputed, recompute
from reporting.reconcile.result import RunResult

log = logging.getLogger(__name__)


class LiveTotals(Totals, Protocol):
    @property
    def ready(self) -> bool: ...


class Results(Protocol):
    def save(self, result: RunResult) -> None: ...


class Export(Protocol):
    def lines(self) -> Iterable[Line]:
        """Every case line of registration's figures export; raises if the export fails or is cut short."""
        ...


class NotReady(Exception):
    """The live totals have not caught up with their topic yet: comparing now would report every figure."""


class Reconciliation:
    def __init__(self, export: Export, live: LiveTotals, results: Results, *, settle_seconds: float = 30.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.export, self.live, self.results = export, live, results
        self.settle_seconds = settle_seconds
        self.clock, self.sleep = clock, sleep

    def run(self, started: RunResult) -> RunResult:
        """Runs, stores and returns the finished (or failed) result of the run ``started`` announces."""
        self.results.save(started)
        try:
            result = self._run(started)
        except Exception as failed:  # noqa: BLE001 - a failed run is a result to show, not a crash of the service
            log.warning("reconciliation %s failed: %s", started.run_id, failed)
            result = started.failed(self.clock(), f"{type(failed).__name__}: {failed}")
        self.results.save(result)
        metrics.observe(result)
        return result

    def _run(self, started: RunResult) -> RunResult:
        if not self.live.ready:
            raise NotReady("ยอดรวมสดยังอ่านหัวข้อ totals ไม่ครบ / the live totals have not caught up yet")
        first = self._read()
        found = differences(first, self.live)
        if not found:
            return started.finished(self.clock(), cases_read=first.cases, reads=1, differences=[], unsettled=[],
                                    refused_lines=first.refused)
        self.sleep(self.settle_seconds)
        second = self._read()
        settled = settle(found, differences(second, self.live))
        return started.finished(self.clock(), cases_read=second.cases, reads=2, differences=settled.confirmed,
                                unsettled=settled.unsettled, refused_lines=second.refused)

    def _read(self) -> Recomputed:
        return recompute(self.export.lines())
