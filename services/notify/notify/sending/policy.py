"""Retry and rate policies (pure; the clock and the random source are passed in so tests control them)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter (AWS architecture blog's "full jitter"): the n-th retry waits a
    random time in [0, min(cap, base·2ⁿ⁻¹)], for at most ``give_up_after`` since the message was created."""

    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=5)
    give_up_after: timedelta = timedelta(hours=6)

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> timedelta:
        ceiling = min(self.cap.total_seconds(), self.base.total_seconds() * 2 ** max(attempt - 1, 0))
        return timedelta(seconds=ceiling * rand())


class RateLimiter:
    """A token bucket per provider: ``rate`` sends a second on average, ``burst`` at once. ``acquire`` waits."""

    def __init__(self, rate: float, burst: int = 1, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate, self.burst, self.clock, self.sleep = rate, burst, clock, sleep
        self.tokens = float(burst)
        self.updated = clock()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self.lock:
                now = self.clock()
                self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            self.sleep(wait)
