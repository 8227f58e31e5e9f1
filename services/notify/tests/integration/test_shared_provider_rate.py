"""A provider's send rate shared by notify's replicas through MongoDB (the dev stack's nx-27017): two replicas'
limiters together stay within the rate, each provider has its own, and a failing store still leaves each
replica held to the rate by itself."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from contracts.rate_limit_storage import MongoRateLimitStorage, rate_limit_storage
from notify.sending.policy import SharedRateLimiter, window_budget


def sends_until(limiter: SharedRateLimiter, deadline: float, times: list[float]) -> None:
    """A worker with a queue that never empties: acquires and "sends" as fast as allowed until ``deadline``."""
    while True:
        limiter.acquire()
        now = time.time()
        if now >= deadline:
            return
        times.append(now)


def test_two_replicas_together_send_at_most_the_provider_rate(mongodb_uri: str, db_name: str) -> None:
    # Each replica its own limiter and client, as two notify processes would have, on one database.
    replicas = [SharedRateLimiter("sms-gateway", 5, rate_limit_storage(mongodb_uri, db_name)) for _ in range(2)]
    start = time.time()
    deadline = start + 2.0
    sent: list[list[float]] = [[], []]
    threads = [threading.Thread(target=sends_until, args=(limiter, deadline, times))
               for limiter, times in zip(replicas, sent, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # Every counted send was allowed within [start, start + 2 s): at most 5 in each of the two seconds. A limit
    # per replica would let each send 10 (5 at once, 5 more a second later), 20 together.
    total = len(sent[0]) + len(sent[1])
    assert 5 <= total <= 10, sent


def test_each_provider_has_its_own_rate(mongodb_uri: str, db_name: str) -> None:
    first, second = rate_limit_storage(mongodb_uri, db_name), rate_limit_storage(mongodb_uri, db_name)
    sms_here, sms_there = SharedRateLimiter("sms-gateway", 1, first), SharedRateLimiter("sms-gateway", 1, second)
    line_there = SharedRateLimiter("line", 1, second)
    sms_here.acquire()  # the SMS second is spent, by the other replica
    began = time.monotonic()
    line_there.acquire()
    assert time.monotonic() - began < 0.5  # LINE does not wait for SMS
    sms_there.acquire()
    assert time.monotonic() - began >= 0.5  # SMS does, although this replica has not sent one yet


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_failing_store_still_holds_each_replica_to_the_rate() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = MongoRateLimitStorage(f"mongodb://127.0.0.1:{port}/", "notify", serverSelectionTimeoutMS=50)
    fake = FakeTime()
    limiter = SharedRateLimiter("sms-gateway", 10, down, clock=lambda: fake.now, sleep=fake.sleep)
    for _ in range(12):
        limiter.acquire()
    assert fake.now == pytest.approx(0.2)  # 10 at once, then 2 more at 10/s


@pytest.mark.parametrize(("rate", "budget"), [(20.0, (20, 1)), (2.5, (2, 1)), (1.0, (1, 1)), (0.5, (1, 2)),
                                              (0.3, (1, 4))])
def test_a_rate_becomes_whole_sends_per_whole_seconds_never_above_it(rate: float, budget: tuple[int, int]) -> None:
    assert window_budget(rate) == budget
    sends, window = budget
    assert sends / window <= rate
