"""Idempotent application of case events, end to end through ``reporting.totals.cases``, ``.districts`` and
``.rollup``: any delivery (permuted, duplicated, replayed, or re-sent after workers were killed) gives the
totals of the oracle in ``case_histories``.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.totals.cases import UnitChange, apply_case_event
from reporting.totals.districts import Districts
from reporting.totals.rollup import roll_up

from .case_histories import Event, assert_same_totals, deliveries, expected, run_cases, run_districts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries(), st.randoms(use_true_random=False))
def test_any_permutation_with_duplicates_gives_the_totals_of_each_cases_latest_revision(
        drawn: tuple[list[list[Event]], list[Event]], rnd: random.Random) -> None:
    cases, delivery = drawn
    changes = run_cases(delivery)
    rnd.shuffle(changes)  # the second hop in another order again, some twice
    rows = run_districts(changes + rnd.sample(changes, len(changes) // 3))
    rnd.shuffle(rows)  # and readers of the totals topic too
    assert_same_totals(roll_up(rows + rows[: len(rows) // 2]), expected(cases))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries(max_cases=4))
def test_applying_the_same_delivery_again_changes_nothing(drawn: tuple[list[list[Event]], list[Event]]) -> None:
    """A replay from the start of the topic over the stored tables."""
    _cases, delivery = drawn
    records: dict[str, Any] = {}
    districts = Districts({}, {})
    first = run_districts(run_cases(delivery, records), districts)
    stored = (copy.deepcopy(records), copy.deepcopy(districts.buckets), copy.deepcopy(districts.days))
    again = run_districts(run_cases(delivery, records), districts)
    assert (records, districts.buckets, districts.days) == stored
    latest = {row.key: row for row in first}
    assert all(row.version <= latest[row.key].version for row in again)
    assert_same_totals(roll_up(again), roll_up(first))


# --- crashes: any uncommitted write or record may be lost, then everything uncommitted runs again --------


def crash(log: Sequence[Any], step: Callable[[Any], list[Any]], stores: Sequence[MutableMapping[str, Any]],
          rnd: random.Random, *, on_restart: Callable[[], None] = lambda: None, crashes: int = 4) -> list[Any]:
    """Runs ``step`` over ``log`` like a worker that is killed now and then. It works in batches; a batch is
    committed only once its writes and records are on the broker (AckWhenDurable), or the worker dies first:
    then every key it wrote is left at *any* value it took since the commit (the changelog and the local store
    each kept some writes, not others), each record it sent survives or not, and the worker restarts from the
    commit. Returns every record that reached the broker, in order."""
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
def test_killed_workers_on_both_hops_still_count_everything_once(
        drawn: tuple[list[list[Event]], list[Event]], rnd: random.Random) -> None:
    cases, delivery = drawn
    records: dict[str, Any] = {}

    def cases_step(event: Event) -> list[UnitChange]:
        result = apply_case_event(records, event)
        assert result is not None
        return result[1]

    changes = crash(delivery, cases_step, [records], rnd)
    districts = Districts({}, {})
    rows = crash(changes, lambda change: [districts.apply(change)[1]], [districts.buckets, districts.days], rnd,
                 on_restart=districts.forget)  # a restarted worker has no sums in memory
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
