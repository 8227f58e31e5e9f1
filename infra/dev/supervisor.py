"""Keeps ``make run``'s services and workers running: a child that exits while nobody asked it to is started
again after a pause that doubles with each crash in a row (capped), and every exit and restart is reported.

A child still crashing after ``give_up_after`` restarts in a row — each time before it had run
``stable_after`` seconds — is reported and left stopped rather than restarted for ever; one that ran long enough before
crashing starts over with the shortest pause. Nothing is restarted once :meth:`Supervisor.stop` has begun, so
Ctrl-C stops everything. The supervisor never sleeps: :meth:`Supervisor.poll` does what is due and returns,
and the caller's loop decides how often to call it.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Process = subprocess.Popen[bytes]
Report = Callable[[str], None]


@dataclass(frozen=True)
class Backoff:
    """The pause before restart number ``crashes`` (1, 2, …) of a run of crashes: initial × factor^(n-1),
    at most ``cap`` seconds."""

    initial: float = 1.0
    factor: float = 2.0
    cap: float = 30.0

    def delay(self, crashes: int) -> float:
        return min(self.cap, self.initial * self.factor ** max(0, crashes - 1))


@dataclass
class Child:
    name: str
    start: Callable[[], Process]
    process: Process | None = None
    started_at: float = 0.0
    crashes: int = 0  # crashes in a row, each before the child had run ``stable_after`` seconds
    restarts: int = 0  # all restarts since the supervisor began
    restart_at: float | None = None  # when a pending restart is due
    gave_up: bool = False


@dataclass
class Supervisor:
    report: Report
    backoff: Backoff = field(default_factory=Backoff)
    give_up_after: int = 5  # restarts in a row
    stable_after: float = 60.0
    clock: Callable[[], float] = time.monotonic
    children: list[Child] = field(default_factory=list)
    stopping: bool = False

    def add(self, name: str, start: Callable[[], Process]) -> Process:
        """Starts ``start()`` now and watches it from then on."""
        child = Child(name, start)
        self._launch(child)
        self.children.append(child)
        assert child.process is not None
        return child.process

    def _launch(self, child: Child) -> None:
        child.process, child.started_at, child.restart_at = child.start(), self.clock(), None

    def poll(self) -> None:
        """Notices exits and starts the children whose pause is over. Does nothing once stopping."""
        for child in self.children:
            if self.stopping:
                return
            if child.restart_at is not None:
                if self.clock() >= child.restart_at:
                    child.restarts += 1
                    try:
                        self._launch(child)
                    except OSError as failed:  # e.g. the interpreter vanished: counts as one more crash
                        child.process, child.restart_at, child.started_at = None, None, self.clock()
                        self._exited(child, f"could not start ({failed})")
                        continue
                    assert child.process is not None
                    self.report(f"{child.name}: restarted (pid {child.process.pid}, restart {child.restarts})")
                continue
            if child.gave_up or child.process is None or child.process.poll() is None:
                continue
            self._exited(child, child.process.returncode)

    def _exited(self, child: Child, code: int | str) -> None:
        ran = self.clock() - child.started_at
        child.crashes = 1 if ran >= self.stable_after else child.crashes + 1
        child.process = None
        if child.crashes > self.give_up_after:
            child.gave_up = True
            self.report(f"{child.name}: exited with {code} after {ran:.1f}s; it crashed {child.crashes} times in a "
                        f"row, so it is left stopped — see its log, fix it and restart make run")
            return
        delay = self.backoff.delay(child.crashes)
        child.restart_at = self.clock() + delay
        self.report(f"{child.name}: exited with {code} after {ran:.1f}s; restarting in {delay:.1f}s "
                    f"(crash {child.crashes} in a row)")

    @property
    def given_up(self) -> list[str]:
        return [child.name for child in self.children if child.gave_up]

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM to every running child, last started first; SIGKILL to any still running after
        ``timeout``. Pending restarts are dropped."""
        self.stopping = True
        running = [c.process for c in reversed(self.children) if c.process is not None and c.process.poll() is None]
        for child in self.children:
            child.restart_at = None
        for process in running:
            process.terminate()
        deadline = self.clock() + timeout
        for process in running:
            try:
                process.wait(max(0.1, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
