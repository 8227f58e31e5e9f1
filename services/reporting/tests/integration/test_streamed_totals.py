"""The streamed totals on a real broker: workers as their own processes (``python -m reporting.streams
worker``, RocksDB tables), read through the web process's TotalsView. Every expectation is computed apart
from the worker, from the produced events (``reporting.totals.sample.expected_totals``: each case's latest
event through ``contributions.contribution``), and must hold however the events were delivered or the workers died.

Each test has its own input and totals topics and its own app id (so its own consumer group, changelogs and
internal topic), and so sees none of the session's other events."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from contracts import codec
from infra.dev.services import REPORTING_WORKER, start_worker, stop_worker
from infra.dev.testing import KafkaUnderTest
from reporting.totals.contributions import daily_counts
from reporting.totals.events import snapshot_of
from reporting.totals.figures import bangkok_day
from reporting.totals.sample import case_events, expected_totals
from reporting.totals.view import TotalsView, wait_for

Totals = dict[tuple[str, str], dict[str, int]]


class Stream:
    """One test's topics, workers and view."""

    def __init__(self, bootstrap: str, workdir: Path) -> None:
        self.bootstrap, self.workdir = bootstrap, workdir
        tag = uuid.uuid4().hex[:8]
        self.case_events, self.totals, self.app_id = f"case-events-{tag}", f"totals-{tag}", f"reporting-{tag}"
        self.workers: list[subprocess.Popen[bytes]] = []
        self.views: list[TotalsView] = []
        self.producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
        self.create_topics(self.case_events, self.totals)

    def create_topics(self, case_events: str, totals: str) -> None:
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        wanted = [NewTopic(case_events, num_partitions=6, replication_factor=1),
                  NewTopic(totals, num_partitions=6, replication_factor=1, config={"cleanup.policy": "compact"})]
        for future in admin.create_topics(wanted, operation_timeout=30).values():
            future.result()

    def worker(self, name: str, *, app_id: str | None = None, totals: str | None = None) -> subprocess.Popen[bytes]:
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
               "REPORTING_STREAMS_APP_ID": app_id or self.app_id,
               "REPORTING_CASE_EVENTS_TOPIC": self.case_events, "REPORTING_TOTALS_TOPIC": totals or self.totals,
               "REPORTING_STREAMS_SESSION_TIMEOUT": "6", "REPORTING_STREAMS_STORE": "rocksdb://"}
        process = start_worker(REPORTING_WORKER, env, self.workdir / name, self.workdir / f"{name}.log")
        self.workers.append(process)
        return process

    def view(self, totals: str | None = None) -> TotalsView:
        view = TotalsView(self.bootstrap, topic=totals or self.totals, poll=0.05).start()
        self.views.append(view)
        assert view.wait_ready(30), view.error
        return view

    def produce(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            self.producer.produce(self.case_events, key=event["case_id"], value=json.dumps(event).encode())
            self.producer.poll(0)
        assert self.producer.flush(30) == 0

    def produce_over(self, events: list[dict[str, Any]], seconds: float) -> None:
        """``events`` in chunks spread over ``seconds``: a stream the worker is in the middle of all along."""
        chunks = [events[start:start + 200] for start in range(0, len(events), 200)]
        for chunk in chunks:
            self.produce(chunk)
            time.sleep(seconds / len(chunks))

    def close(self) -> None:
        for view in self.views:
            view.stop()
        for process in self.workers:
            stop_worker(process, timeout=15)


@pytest.fixture
def stream(kafka: KafkaUnderTest, tmp_path: Path) -> Iterator[Stream]:
    made = Stream(kafka.bootstrap, tmp_path)
    yield made
    made.close()


def view_totals(view: TotalsView, units: Mapping[tuple[str, str], object]) -> Totals:
    return {(level, code): view.figures(level, code) for level, code in units}


def differences(view: TotalsView, expected: Totals) -> dict[tuple[str, str], dict[str, tuple[int, int]]]:
    """Per unit, each figure the view has wrong: (view's, expected)."""
    found = view_totals(view, expected)
    return {unit: {name: (found[unit].get(name, 0), want.get(name, 0))
                   for name in {*found[unit], *want} if found[unit].get(name, 0) != want.get(name, 0)}
            for unit, want in expected.items() if found[unit] != want}


def converges(view: TotalsView, expected: Totals, timeout: float = 90.0) -> bool:
    return wait_for(lambda: view_totals(view, expected) == expected, timeout, interval=0.2)


def expected_days(events: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, int]]:
    """(district, day) → that day's counts: each event once, however often it was delivered."""
    seen: dict[tuple[str, int], dict[str, Any]] = {}
    for event in events:
        case = snapshot_of(event)
        assert case is not None
        seen[(case.case_id, case.revision)] = event
    days: dict[tuple[str, str], dict[str, int]] = {}
    for event in seen.values():
        for district, figures in daily_counts(event):
            key = (district, bangkok_day(event["occurred_at"]))
            days[key] = _add(days.get(key, {}), figures)
    return days


def _add(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    summed = {n: a.get(n, 0) + b.get(n, 0) for n in {*a, *b}}
    return {n: v for n, v in summed.items() if v}


def delivered_badly(events: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Every event at least once, a fifth of them again, and cases' events out of their order."""
    rng = random.Random(seed)  # noqa: S311 - test data
    again = rng.sample(events, len(events) // 5)
    shuffled = [*events, *again]
    rng.shuffle(shuffled)
    return shuffled


def test_a_known_sequence_redelivered_and_out_of_order_adds_up_and_a_replay_gives_the_same(stream: Stream) -> None:
    events = case_events(60, seed=11, updates=2, transfer_share=0.3, close_share=0.3)
    expected = expected_totals(events)
    stream.worker("w1")
    view = stream.view()
    stream.produce(delivered_badly(events, seed=5))
    assert converges(view, expected), differences(view, expected)
    for (district, day), figures in expected_days(events).items():
        assert view.figures("district", district, day) == figures, (district, day)
    # A second view reading the compacted topic from its beginning rebuilds the same figures.
    assert view_totals(stream.view(), expected) == expected

    # Replay: a new app id (a new consumer group, new tables) reads case-events from the beginning.
    replay_totals = f"{stream.totals}-replay"
    stream.create_topics(f"{stream.case_events}-unused", replay_totals)
    stream.worker("replay", app_id=f"{stream.app_id}-replay", totals=replay_totals)
    assert converges(stream.view(replay_totals), expected)


def test_a_transfer_between_provinces_moves_the_figures(stream: Stream) -> None:
    events = case_events(3, seed=2, updates=1, transfer_share=0, close_share=0, districts=("4701",))
    stream.worker("w1")
    view = stream.view()
    stream.produce(events)
    assert converges(view, expected_totals(events))
    before = view.figures("province", "47")
    moved = max(events, key=lambda e: e.get("revision", 1))  # a case's latest event
    transfer = {**moved, "event_type": "CaseTransferred", "event_id": str(uuid.uuid4()),
                "revision": moved.get("revision", 1) + 1, "province_code": "48", "district_code": "4801",
                "from_province_code": "47", "from_district_code": "4701", "schema_version": 1}
    for name in ("creditor_count", "debt_count", "principal_satang", "outstanding_satang", "change", "channel",
                 "unit_code"):
        transfer.pop(name, None)
    codec.validate_for_produce(transfer)
    stream.produce([transfer])
    assert converges(view, expected_totals([*events, transfer]))
    after_47, in_48 = view.figures("province", "47"), view.figures("province", "48")
    assert after_47["registrants"] == before["registrants"] - 1 == 2 and in_48["registrants"] == 1
    assert in_48["outstanding_satang"] == transfer["facts"]["outstanding_satang"]
    assert after_47["outstanding_satang"] == before["outstanding_satang"] - transfer["facts"]["outstanding_satang"]
    assert after_47["transfers_out_other_province"] == in_48["transfers_in_other_province"] == 1
    assert view.figures("nation", "")["registrants"] == 3  # moved, not counted twice


def test_a_worker_killed_mid_stream_and_restarted_counts_every_event_once(stream: Stream) -> None:
    events = delivered_badly(case_events(4000, seed=23, updates=2), seed=8)  # ~13,000 events
    expected = expected_totals(events)
    first = stream.worker("w1")
    view = stream.view()
    stream.produce(events[:500])
    assert wait_for(lambda: view.version > 0, 60), "the worker applied nothing"
    # The rest arrives over 4 s while the worker keeps up (it applies 20,000 a second), and it is killed in the
    # middle: records sent, changelogs written, offsets not committed, more records on their way.
    producing = threading.Thread(target=stream.produce_over, args=(events[500:], 4.0))
    producing.start()
    time.sleep(1.5)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert view_totals(view, expected) != expected, "killed too late to prove anything"
    producing.join()
    stream.worker("w1")  # the same data directory: RocksDB as it was left, then the changelogs
    assert converges(view, expected), differences(view, expected)


def test_two_workers_one_killed_the_other_takes_over(stream: Stream) -> None:
    events = case_events(400, seed=31, updates=2)
    expected = expected_totals(events)
    doomed, _ = stream.worker("w1"), stream.worker("w2")
    view = stream.view()
    stream.produce(events[: len(events) // 2])
    assert wait_for(lambda: view.version > 0, 60), "the workers applied nothing"
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    stream.produce(events[len(events) // 2:])
    # On failure, also what a view reading the totals topic anew sees: wrong rows, or rows the first view missed.
    assert converges(view, expected, timeout=120), {"view": differences(view, expected),
                                                    "fresh view": differences(stream.view(), expected)}
