"""Backoff with jitter, the per-provider rate limit, E.164 phone numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notify.channels.phone import InvalidPhone, masked, to_e164
from notify.sending.policy import Backoff, RateLimiter


def test_backoff_doubles_up_to_the_cap_and_jitters_below_it() -> None:
    backoff = Backoff(base=timedelta(seconds=2), cap=timedelta(seconds=60))
    assert [backoff.delay(n, rand=lambda: 1.0).total_seconds() for n in (1, 2, 3, 6, 7, 20)] == [
        2, 4, 8, 60, 60, 60]
    assert backoff.delay(3, rand=lambda: 0.25) == timedelta(seconds=2)
    assert backoff.delay(1, rand=lambda: 0.0) == timedelta(0)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_rate_limit_lets_a_burst_through_then_spaces_sends() -> None:
    fake = FakeTime()
    limiter = RateLimiter(rate=10, burst=2, clock=lambda: fake.now, sleep=fake.sleep)
    for _ in range(6):
        limiter.acquire()
    assert fake.slept and fake.now == pytest.approx(0.4)  # 2 at once, then 4 more at 10/s


@pytest.mark.parametrize(("raw", "e164"), [("081-234-5678", "+66812345678"), ("+66 81 234 5678", "+66812345678"),
                                           ("0 2222 1234", "+6622221234")])
def test_thai_numbers_become_e164(raw: str, e164: str) -> None:
    assert to_e164(raw) == e164


@pytest.mark.parametrize("raw", ["12345", "not a phone", "081-234-567"])
def test_what_is_not_a_number_is_refused_in_thai_and_english(raw: str) -> None:
    with pytest.raises(InvalidPhone, match="หมายเลขโทรศัพท์ไม่ถูกต้อง / not"):
        to_e164(raw)


def test_staff_see_a_masked_number() -> None:
    assert masked("+66812345678") == "+668xxxxx678"
