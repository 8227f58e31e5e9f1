"""Runs reconciliations in the web process: on a schedule and on demand, one at a time, each in a worker
thread (it reads HTTP and MongoDB) so the event loop keeps serving."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from reporting.reconcile import metrics
from reporting.reconcile.result import RunResult, Trigger

log = logging.getLogger(__name__)

NOT_CONFIGURED = ("การกระทบยอดยังไม่ได้ตั้งค่า (REPORTING_RECONCILE_CLIENT_SECRET) / reconciliation is not configured "
                  "(REPORTING_RECONCILE_CLIENT_SECRET)")

# A run under way is marked alive this often; a replica starting marks failed only runs silent for STALE_AFTER
# (a few beats, so a slow write or a little clock skew between replicas does not fail a live run).
HEARTBEAT = timedelta(seconds=30)
STALE_AFTER = 4 * HEARTBEAT

Run = Callable[[RunResult], RunResult]  # Reconciliation.run: stores the result itself
ClaimSlot = Callable[[float, float], bool]  # (now, interval) -> this replica runs the scheduled run
Heartbeat = Callable[[str, datetime], None]  # (run id, now): ResultStore.heartbeat


class Runner:
    def __init__(self, run: Run | None, *, save_failure: Callable[[RunResult], None],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 claim_slot: ClaimSlot | None = None, heartbeat: Heartbeat | None = None,
                 heartbeat_every: timedelta = HEARTBEAT) -> None:
        """``run`` None: not configured; a requested run is then stored as failed, saying why. ``claim_slot``:
        shared by the replicas so a scheduled run happens on one of them (None: this is the only one).
        ``heartbeat``: called every ``heartbeat_every`` while a run is under way, so other replicas starting up
        see it is alive (``ResultStore.interrupted``)."""
        self._run, self._save_failure, self.clock = run, save_failure, clock
        self._claim_slot = claim_slot
        self._heartbeat, self._heartbeat_every = heartbeat, heartbeat_every
        self.owner = uuid.uuid4().hex  # this process's life: stored with each run it starts
        self.current: RunResult | None = None
        self._task: asyncio.Task[RunResult] | None = None
        self._beating: asyncio.Task[None] | None = None
        self._schedule: asyncio.Task[None] | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reconciliation")

    @property
    def configured(self) -> bool:
        return self._run is not None

    async def request(self, trigger: Trigger) -> tuple[RunResult, bool]:
        """Starts a run unless one is under way: (the run, whether this call started it)."""
        if self.current is not None:
            return self.current, False
        now = self.clock()
        started = RunResult(run_id=uuid.uuid4().hex, trigger=trigger, started_at=now, owner=self.owner,
                            heartbeat_at=now)
        self.current = started
        self._task = asyncio.get_running_loop().create_task(self._execute(started))
        return started, True

    async def _execute(self, started: RunResult) -> RunResult:
        beating = self._beating = asyncio.get_running_loop().create_task(self._beat(started.run_id))
        try:
            if self._run is None:
                failed = started.failed(self.clock(), NOT_CONFIGURED)
                await asyncio.get_running_loop().run_in_executor(self._pool, self._save_failure, failed)
                metrics.observe(failed)
                return failed
            return await asyncio.get_running_loop().run_in_executor(self._pool, self._run, started)
        finally:
            beating.cancel()
            self.current = None

    async def _beat(self, run_id: str) -> None:
        if self._heartbeat is None:
            return
        while True:
            await asyncio.sleep(self._heartbeat_every.total_seconds())
            try:
                # Not on self._pool: its one thread is busy with the run itself.
                await asyncio.to_thread(self._heartbeat, run_id, self.clock())
            except Exception:
                log.exception("reconciliation: could not store the heartbeat of %s", run_id)

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
        if self._beating is not None:
            self._beating.cancel()
        # A run under way is not waited for: it stays "running" in the store and its heartbeat stops, so the
        # next replica to start marks it failed once it is stale.
        self._pool.shutdown(wait=False, cancel_futures=True)
