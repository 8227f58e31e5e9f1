"""Retry and rate policies. Backoff and the token bucket are pure (the clock, the sleep and the random source
are passed in so tests control them); a provider's send rate is shared by every replica through MongoDB."""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from limits.storage import Storage

from contracts.web import RateLimiter as WindowLimiter


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


class Limiter(Protocol):
    def acquire(self) -> None:
        """Returns when one send is allowed."""


class RateLimiter:
    """A token bucket in this process: ``rate`` sends a second on average, ``burst`` at once. ``acquire`` waits."""

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


def window_budget(rate: float) -> tuple[int, int]:
    """``rate`` sends a second as (sends, whole seconds), the units the ``limits`` library counts in; never above
    the rate and with bursts no bigger than a second's: 20/s → 20 per 1 s, 2.5/s → 2 per 1 s, 0.5/s → 1 per 2 s."""
    window = max(1, math.ceil(1 / rate))
    return max(1, math.floor(rate * window)), window


class SharedRateLimiter:
    """One provider's send rate, spent by every replica together: a moving window keyed by the provider's name
    in ``storage`` (``contracts.rate_limit_storage``: the service's MongoDB, so N replicas send at ``rate``, not
    N × ``rate``). ``acquire`` waits for a place in the window, checking again every ``window / sends`` seconds.

    Should the store fail, contracts' limiter lets the send through; a token bucket at ``rate`` in this process
    still holds this replica to what it had before the rate was shared.
    """

    def __init__(self, provider: str, rate: float, storage: Storage, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        sends, window = window_budget(rate)
        self.provider, self.sleep, self.poll = provider, sleep, window / sends
        self.shared = WindowLimiter(sends, window, storage, name="notify-send")
        self.local = RateLimiter(rate, burst=max(1, int(rate)), clock=clock, sleep=sleep)

    def acquire(self) -> None:
        self.local.acquire()
        while (wait := self.shared.hit(self.provider)) is not None:
            self.sleep(min(wait, self.poll))  # ``wait`` is whole seconds; a place may free up sooner
