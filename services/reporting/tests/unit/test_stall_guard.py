"""The stall guard's decision (``reporting.totals.stall_guard``): when an assigned partition counts as stalled."""

from __future__ import annotations

from reporting.totals.stall_guard import StallGuard


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_partition_with_records_to_process_and_no_progress_for_the_limit_is_reported_once_per_stall() -> None:
    clock = Clock()
    guard = StallGuard(30, clock)
    assert guard.stalled({"p0": None}, {"p0": 40}) == []  # first look
    clock.now = 29
    assert guard.stalled({"p0": None}, {"p0": 40}) == []
    clock.now = 31
    assert guard.stalled({"p0": None}, {"p0": 40}) == ["p0"]
    clock.now = 40
    assert guard.stalled({"p0": None}, {"p0": 40}) == []  # watched afresh after being reported
    clock.now = 62
    assert guard.stalled({"p0": None}, {"p0": 40}) == ["p0"]


def test_progress_or_nothing_to_read_is_not_a_stall() -> None:
    clock = Clock()
    guard = StallGuard(30, clock)
    for step in range(10):
        clock.now = step * 20
        # p0 moves on; p1 has processed its last record (next to process is the end); p2 is empty
        assert guard.stalled({"p0": step, "p1": 40, "p2": None}, {"p0": 100, "p1": 40, "p2": 0}) == []


def test_one_record_waiting_behind_an_offset_that_stands_still_is_a_stall() -> None:
    clock = Clock()
    guard = StallGuard(30, clock)
    guard.stalled({"p0": 39}, {"p0": 40})  # committed at 39, one record to process
    clock.now = 31
    assert guard.stalled({"p0": 39}, {"p0": 40}) == ["p0"]


def test_a_partition_no_longer_assigned_is_forgotten() -> None:
    clock = Clock()
    guard = StallGuard(30, clock)
    guard.stalled({"p0": 5}, {"p0": 40})
    clock.now = 20
    guard.stalled({}, {})  # revoked
    clock.now = 40
    assert guard.stalled({"p0": 5}, {"p0": 40}) == []  # assigned again: watched from now
