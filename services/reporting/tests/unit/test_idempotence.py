"""Idempotent application of case events, end to end through the worker's batch step (``reporting.totals.batch``,
``.partials``) and ``.rollup``: any delivery (permuted, duplicated, replayed, cut into any batches, or re-sent
after workers were killed) gives the totals of the oracle in ``case_histories``.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.totals.rollup import roll_up

from .case_histories import Event, Worker, assert_same_totals, deliveries, expected


def batches(events: list[Event], rnd: random.Random) -> list[list[Event]]:
    """``events`` cut into batches of random sizes (a batch may hold a case's events twice, or several of them)."""
    cut, start = [], 0
    while start < len(events):
        size = rnd.randint(1, 8)
        cut.append(events[start:start + size])
        start += size
    return cut


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries(), st.randoms(use_true_random=False))
def test_any_permutation_with_duplicates_in_any_batches_gives_the_totals_of_each_cases_latest_revision(
        drawn: tuple[list[list[Event]], list[Event]], rnd: random.Random) -> None:
    cases, delivery = drawn
    worker = Worker()
    rows = [row for batch in batches(delivery, rnd) for row in worker.batch(batch)]
    rnd.shuffle(rows)  # readers of the totals topic see rows in any order, some twice
    assert_same_totals(roll_up(rows + rows[: len(rows) // 2]), expected(cases))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries(max_cases=4), st.randoms(use_true_random=False))
def test_applying_the_same_delivery_again_changes_nothing(drawn: tuple[list[list[Event]], list[Event]],
                                                         rnd: random.Random) -> None:
    """A replay from the start of the topic over the stored table (in other batches)."""
    _cases, delivery = drawn
    worker = Worker()
    first = [row for batch in batches(delivery, rnd) for row in worker.batch(batch)]
    stored = copy.deepcopy(worker.cases)
    again = [row for batch in batches(delivery, rnd) for row in worker.batch(batch)]
    assert worker.cases == stored
    assert set(worker.outcomes[len(delivery):]) <= {"unchanged", "ignored"}
    latest = {row.key: row for row in first}
    assert all(row.version <= latest[row.key].version for row in again)
    assert_same_totals(roll_up(again), roll_up(first))


# --- crashes: any uncommitted write or record may be lost, then everything uncommitted runs again --------


def crash(log: Sequence[Any], step: Callable[[Any], list[Any]], stores: Sequence[MutableMapping[str, Any]],
          rnd: random.Random, *, on_restart: Callable[[], None] = lambda: None, crashes: int = 4) -> list[Any]:
    """Runs ``step`` over ``log`` like a worker that is killed now and then. A step is committed only once its
    writes and records are on the broker (``durable.wait_durable``), or the worker dies first: then every key
    written since the last commit is left at *any* value it took since (the changelog and the local store each
    kept some writes, not others), each record sent survives or not, and the worker restarts from the commit.
    Returns every record that reached the broker, in order."""
    delivered: list[Any] = []
    position = 0
    while position < len(log):
        end = rnd.randint(position + 1, len(log))
        since = [{key: [copy.deepcopy(value)] for key, value in store.items()} for store in stores]
        sent: list[Any] = []
        for item in log[position:end]:
            sent.extend(step(item))
            for store, values in zip(stores, since, strict=True):
                for key, value in store.items():
                    values.setdefault(key, [None]).append(copy.deepcopy(value))
        if crashes == 0 or rnd.random() < 0.5:
            delivered.extend(sent)  # durable, then committed
            position = end
            continue
        crashes -= 1
        for store, values in zip(stores, since, strict=True):
            store.clear()
            for key, taken in values.items():
                kept = rnd.choice(taken)
                if kept is not None:
                    store[key] = kept
        delivered.extend(record for record in sent if rnd.random() < 0.5)
        on_restart()
    return delivered


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries(max_cases=4), st.randoms(use_true_random=False))
def test_killed_workers_still_count_everything_once(drawn: tuple[list[list[Event]], list[Event]],
                                                   rnd: random.Random) -> None:
    cases, delivery = drawn
    worker = Worker()
    rows = crash(batches(delivery, rnd), worker.batch, [worker.cases], rnd,
                 on_restart=worker.restart)  # a restarted worker has no sums in memory
    rnd.shuffle(rows)
    assert_same_totals(roll_up(rows), expected(cases))


def test_the_crash_model_does_lose_writes_and_records() -> None:
    """Guards the test above against a model too kind to fail: a plain counter is not idempotent, and the
    model must break it for some seed."""
    broken = 0
    for seed in range(30):
        counter: dict[str, Any] = {}

        def step(item: int, counter: dict[str, Any] = counter) -> list[int]:
            counter["n"] = counter.get("n", 0) + 1
            return [item]

        delivered = crash(list(range(10)), step, [counter], random.Random(seed))  # noqa: S311  # a model, not a secret
        assert set(delivered) == set(range(10))  # every record arrives at least once
        broken += counter.get("n") != 10
    assert broken
