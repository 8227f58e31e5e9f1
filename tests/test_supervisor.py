"""``make run``'s supervision (infra/dev/supervisor.py) with real child processes: a crashing child is restarted
after pauses that grow and is given up on when it keeps crashing; a running one is left alone; stopping is
clean and restarts nothing."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from infra.dev.run import _reporter
from infra.dev.supervisor import Backoff, Process, Supervisor

CRASH = [sys.executable, "-c", "import sys; sys.exit(3)"]
RUN = [sys.executable, "-c", "import time; time.sleep(120)"]
STUBBORN = [sys.executable, "-c", "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(120)"]


class Starts:
    """A child's start function that remembers when each start happened."""

    def __init__(self, command: list[str], clock: Callable[[], float] = time.monotonic) -> None:
        self.command, self.clock, self.at = command, clock, list[float]()

    def __call__(self) -> Process:
        self.at.append(self.clock())
        return subprocess.Popen(self.command, stdout=subprocess.PIPE)


def poll_until(supervisor: Supervisor, done: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "supervisor did not get there in time"
        supervisor.poll()
        time.sleep(0.01)  # pacing the loop, as run.py does; the assertions are on what happened


def test_backoff_doubles_up_to_its_cap() -> None:
    assert [Backoff(0.5, 2, 3).delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_a_crashing_child_is_restarted_with_growing_pauses_then_given_up_on() -> None:
    reports: list[str] = []
    supervisor = Supervisor(reports.append, Backoff(0.1, 2, 0.3), give_up_after=3)
    crashing, running = Starts(CRASH), Starts(RUN)
    supervisor.add("crashing", crashing)
    steady = supervisor.add("steady", running)
    try:
        poll_until(supervisor, lambda: supervisor.given_up == ["crashing"])
        assert len(crashing.at) == 4  # the start and three restarts
        gaps = [later - earlier for earlier, later in itertools.pairwise(crashing.at)]
        assert [gap >= pause for gap, pause in zip(gaps, (0.1, 0.2, 0.3), strict=True)] == [True] * 3, gaps
        assert gaps[2] > gaps[0]
        restarts = [r for r in reports if r.startswith("crashing: exited with 3")]
        assert [("restarting in" in r) for r in restarts] == [True, True, True, False]
        assert "left stopped" in restarts[-1] and "crashed 4 times in a row" in restarts[-1]
        assert sum("crashing: restarted (pid" in r for r in reports) == 3
        for _ in range(5):  # given up: no more starts however long the loop runs
            supervisor.poll()
        assert len(crashing.at) == 4
        assert len(running.at) == 1 and steady.poll() is None and not any(r.startswith("steady") for r in reports)
    finally:
        supervisor.stop()
    assert steady.returncode == -signal.SIGTERM


def test_a_child_that_ran_long_enough_starts_over_with_the_shortest_pause() -> None:
    now = [0.0]
    reports: list[str] = []
    supervisor = Supervisor(reports.append, Backoff(1, 2, 30), give_up_after=2, stable_after=60,
                            clock=lambda: now[0])
    supervisor.add("flaky", Starts(CRASH))
    try:
        for _ in range(3):  # each time it crashes after two minutes of work: never given up on
            supervisor.children[0].process.wait()  # type: ignore[union-attr]
            now[0] += 120
            supervisor.poll()  # the exit
            assert reports[-1].endswith("restarting in 1.0s (crash 1 in a row)"), reports[-1]
            now[0] += 1
            supervisor.poll()  # the restart
        assert supervisor.given_up == [] and supervisor.children[0].restarts == 3
    finally:
        supervisor.stop()


def test_stopping_restarts_nothing_even_with_a_restart_due() -> None:
    now = [0.0]
    reports: list[str] = []
    supervisor = Supervisor(reports.append, Backoff(1, 2, 30), clock=lambda: now[0])
    crashing = Starts(CRASH)
    supervisor.add("crashing", crashing)
    poll_until(supervisor, lambda: supervisor.children[0].restart_at is not None)
    supervisor.stop()
    now[0] += 10  # the pause is over: a restart would be due now were it not stopping
    supervisor.poll()
    assert len(crashing.at) == 1 and not any("restarted" in r for r in reports)


def test_stop_kills_a_child_that_ignores_sigterm() -> None:
    supervisor = Supervisor(lambda _: None)
    stubborn = supervisor.add("stubborn", Starts(STUBBORN))
    assert stubborn.stdout is not None and stubborn.stdout.readline() == b"ready\n"
    began = time.monotonic()
    supervisor.stop(timeout=0.5)
    assert stubborn.returncode == -signal.SIGKILL and time.monotonic() - began < 5


def test_restarts_are_written_to_the_run_log(tmp_path: Path) -> None:
    report = _reporter(tmp_path / "run.log")
    report("registration: restarted (pid 42, restart 1)")
    line = (tmp_path / "run.log").read_text(encoding="utf-8")
    assert line.endswith(" registration: restarted (pid 42, restart 1)\n") and line.startswith("20")
