"""Runs reconciliations in the web process: on a schedule and on demand, one at a time, each in a worker
thread (it reads HTTP and MongoDB) so the event loop keeps serving."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from reporting.reconcile import metrics
from reporting.reconcile.result import RunResult, Trigger

log = logging.getLogger(__name__)

NOT_CONFIGURED = ("การกระทบยอดยังไม่ได้ตั้งค่า (REPORTING_RECONCILE_CLIENT_SECRET) / reconciliation is not configured "
                  "(REPORTING_RECONCILE_CLIENT_SECRET)")

Run = Callable[[RunResult], RunResult]  # Reconciliation.run: stores the result itself
ClaimSlot = Callable[[float, float], bool]  # (now, interval) -> this replica runs the scheduled run


class Runner:
    def __init__(self, run: Run | None, *, save_failure: Callable[[RunResult], None],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 claim_slot: ClaimSlot | None = None) -> None:
        """``run`` None: not configured; a requested run is then stored as failed, saying why. ``claim_slot``:
        shared by the replicas so a scheduled run happens on one of them (None: this is the only one)."""
        self._run, self._save_failure, self.clock = run, save_failure, clock
        self._claim_slot = claim_slot
        self.current: RunResult | None = None
        self._task: asyncio.Task[RunResult] | None = None
        self._schedule: asyncio.Task[None] | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reconciliation")

    @property
    def configured(self) -> bool:
        return self._run is not None

    async def request(self, trigger: Trigger) -> tuple[RunResult, bool]:
        """Starts a run unless one is under way: (the run, whether this call started it)."""
        if self.current is not None:
            return self.current, False
        started = RunResult(run_id=uuid.uuid4().hex, trigger=trigger, started_at=self.clock())
        self.current = started
        self._task = asyncio.get_running_loop().create_task(self._execute(started))
        return started, True

    async def _execute(self, started: RunResult) -> RunResult:
        try:
            if self._run is None:
                failed = started.failed(self.clock(), NOT_CONFIGURED)
                await asyncio.get_running_loop().run_in_executor(self._pool, self._save_failure, failed)
                metrics.observe(failed)
                return failed
            return await asyncio.get_running_loop().run_in_executor(self._pool, self._run, started)
        finally:
            self.current = None

    async def wait(self) -> RunResult | None:
        """The run under way, once finished (None if there is none)."""
        task = self._task
        return None if task is None else await asyncio.shield(task)

    def start_schedule(self, interval_seconds: float) -> None:
        if interval_seconds <= 0 or not self.configured:
            log.info("reconciliation: no schedule (%s)", "interval 0" if self.configured else "not configured")
            return
        self._schedule = asyncio.get_running_loop().create_task(self._every(interval_seconds))

    async def _every(self, interval_seconds: float) -> None:
        while True:
            await asyncio.sleep(interval_seconds)
            if not await self._won_slot(interval_seconds):
                continue  # another replica runs this one
            run, started = await self.request("schedule")
            if started:
                await self.wait()
            else:
                log.info("reconciliation: scheduled run skipped, %s is still under way", run.run_id)

    async def _won_slot(self, interval_seconds: float) -> bool:
        if self._claim_slot is None:
            return True
        now = self.clock().timestamp()
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, self._claim_slot, now,
                                                                     interval_seconds)
        except Exception:
            log.exception("reconciliation: could not claim the scheduled run; skipping it")
            return False

    async def stop(self) -> None:
        if self._schedule is not None:
            self._schedule.cancel()
        # A run under way is not waited for: it stays "running" in the store and the next one replaces it.
        self._pool.shutdown(wait=False, cancel_futures=True)
