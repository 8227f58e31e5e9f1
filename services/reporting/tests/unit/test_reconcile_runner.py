"""Reconciliation runs one at a time, on a schedule shared by the replicas, kept alive by a heartbeat; without
configuration a requested run fails saying why."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from itertools import pairwise

from reporting.reconcile.result import RunResult
from reporting.reconcile.runner import NOT_CONFIGURED, Runner

from .reconcile_fakes import T0, Clock, Results


def test_a_second_request_while_a_run_is_under_way_gets_that_run() -> None:
    gate, results = threading.Event(), Results()

    def slow(run: RunResult) -> RunResult:
        gate.wait(5)
        done = run.finished(T0, cases_read=0, reads=1, differences=[], unsettled=[], refused_lines=[])
        results.save(done)
        return done

    async def scenario() -> None:
        runner = Runner(slow, save_failure=results.save)
        first, started_first = await runner.request("request")
        again, started_again = await runner.request("schedule")
        assert started_first and not started_again and again.run_id == first.run_id
        gate.set()
        finished = await runner.wait()
        assert finished is not None and finished.outcome == "succeeded" and runner.current is None
        third, started_third = await runner.request("request")
        assert started_third and third.run_id != first.run_id
        await runner.wait()
        await runner.stop()

    asyncio.run(scenario())


def test_without_configuration_a_requested_run_fails_saying_why() -> None:
    results = Results()

    async def scenario() -> RunResult | None:
        runner = Runner(None, save_failure=results.save)
        runner.start_schedule(60)  # no schedule: nothing to run
        await runner.request("request")
        done = await runner.wait()
        await runner.stop()
        return done

    done = asyncio.run(scenario())
    assert done is not None and done.outcome == "failed" and done.error == NOT_CONFIGURED
    assert list(results.saved.values()) == [done]


def test_the_schedule_runs_again_and_again() -> None:
    results, runs = Results(), []

    def quick(run: RunResult) -> RunResult:
        runs.append(run.trigger)
        return run.finished(T0, cases_read=0, reads=1, differences=[], unsettled=[], refused_lines=[])

    async def scenario() -> None:
        runner = Runner(quick, save_failure=results.save)
        runner.start_schedule(0.01)
        await asyncio.sleep(0.3)
        await runner.stop()

    asyncio.run(scenario())
    assert len(runs) >= 3 and set(runs) == {"schedule"}


def test_replicas_sharing_the_slot_run_each_scheduled_run_once() -> None:
    """Two replicas tick on the same schedule; the shared slot (MongoDB in production) lets one of them run."""
    results, runs, claims = Results(), [], []
    due, interval = [0.0], 0.05

    def claim(now: float, every: float) -> bool:  # the store's rule: the first past the due time wins
        won = now >= due[0]
        if won:
            due[0] = now + every
        claims.append((now, won))
        return won

    def quick(run: RunResult) -> RunResult:
        runs.append(run.trigger)
        return run.finished(T0, cases_read=0, reads=1, differences=[], unsettled=[], refused_lines=[])

    async def scenario() -> None:
        replicas = [Runner(quick, save_failure=results.save, claim_slot=claim) for _ in range(2)]
        for runner in replicas:
            runner.start_schedule(interval)
        await asyncio.sleep(0.4)
        for runner in replicas:
            await runner.stop()

    asyncio.run(scenario())
    won = [now for now, ok in claims if ok]
    assert len(won) >= 2 and len(won) - 1 <= len(runs) <= len(won)  # the last may be cut short by the stop
    assert len(claims) > len(won)  # the other replica ticked too, and stood down
    assert all(later - earlier >= interval for earlier, later in pairwise(won))


def test_a_run_under_way_is_kept_alive_by_its_owner_until_it_ends() -> None:
    """The heartbeat other replicas go by when they start (store.interrupted): it beats while the run is under
    way, on a thread of its own (the run holds the runner's), and stops when the run ends."""
    gate, results, beats = threading.Event(), Results(), []

    def slow(run: RunResult) -> RunResult:
        gate.wait(5)
        return run.finished(T0, cases_read=0, reads=1, differences=[], unsettled=[], refused_lines=[])

    async def scenario() -> None:
        runner = Runner(slow, save_failure=results.save, clock=Clock(), heartbeat=lambda *beat: beats.append(beat),
                        heartbeat_every=timedelta(seconds=0.02))
        started, _ = await runner.request("request")
        assert started.owner == runner.owner and started.heartbeat_at == started.started_at
        await asyncio.sleep(0.2)
        assert len(beats) >= 3 and {run_id for run_id, _ in beats} == {started.run_id}
        assert all(earlier < later for (_, earlier), (_, later) in pairwise(beats))
        gate.set()
        await runner.wait()
        ended = len(beats)
        await asyncio.sleep(0.1)
        assert len(beats) == ended
        await runner.stop()

    asyncio.run(scenario())
