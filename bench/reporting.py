"""bench/reporting: the streamed totals (``python -m reporting.streams worker``) on a real Kafka broker.

1. Replay: N synthetic case events (``reporting.totals.sample``: registrations, updates, transfers, closures;
   default 1,000,000) are produced to a fresh topic, then one worker (RocksDB tables, its own process)
   reads them from the beginning into totals. Throughput = N / (time the web process's TotalsView equals the
   independently computed totals - time it first changed), so the worker's start-up is not counted.
   Baseline, same run, same topic: a raw aiokafka consumer (the client Faust itself uses) reading every
   record from the beginning and parsing its JSON.
2. Lag: with the worker caught up, new registrations are produced at a steady rate (default 500/s). Lag of
   the k-th registration = the moment the TotalsView's national registrant count first reaches k (the view's
   change, as an SSE client would see it) - the moment the k-th was handed to the producer. (From producing
   the event, not from the registration's MongoDB commit: the outbox relay's own delay is bench/intake's.)

``python -m bench reporting [--events N] [--rate R] [--seconds S] [--workers W] [--profile FILE]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from bench.intake import cpu_seconds, machine, profiling
from infra.dev.kafka import DevKafka
from infra.dev.services import REPORTING_WORKER, start_worker, stop_worker
from infra.dev.testing import free_port
from reporting.totals.sample import MANY_DISTRICTS, expected_totals, iter_case_events
from reporting.totals.view import TotalsView, wait_for

PARTITIONS = 6


class TimedView(TotalsView):
    """A TotalsView that notes when it first changed and when its national registrant count moved."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.first_change: float | None = None
        self.registrants: list[tuple[float, int]] = []

    def apply(self, values: Iterable[bytes | None]) -> set[tuple[str, str]]:
        changed = super().apply(values)
        if changed:
            now = time.perf_counter()
            self.first_change = self.first_change or now
            self.registrants.append((now, self.figures("nation", "").get("registrants", 0)))
        return changed


def create_topics(bootstrap: str, *names: str) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    wanted = [NewTopic(name, num_partitions=PARTITIONS, replication_factor=1,
                       config={"cleanup.policy": "compact"} if name.startswith("totals") else {}) for name in names]
    for future in admin.create_topics(wanted, operation_timeout=30).values():
        future.result()


def produce_all(bootstrap: str, topic: str, events: Iterator[dict[str, object]]) -> tuple[int, float]:
    """Every event, as fast as the producer takes them; (count, seconds)."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.size": 1_000_000,
                         "queue.buffering.max.messages": 1_000_000})  # no compression: aiokafka here has no lz4
    started, count = time.perf_counter(), 0
    for event in events:
        value = json.dumps(event).encode()
        while True:
            try:
                producer.produce(topic, key=str(event["case_id"]), value=value)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
        count += 1
    assert producer.flush(120) == 0
    return count, time.perf_counter() - started


def raw_read(bootstrap: str, topic: str, count: int) -> float:
    """Seconds a raw aiokafka consumer takes to read ``count`` records from the beginning (JSON parsed)."""
    from aiokafka import AIOKafkaConsumer  # type: ignore[import-untyped]

    async def read() -> float:
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"raw-{uuid.uuid4()}",
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        try:
            seen, started = 0, time.perf_counter()
            while seen < count:
                batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
                for records in batches.values():
                    for record in records:
                        json.loads(record.value)
                    seen += len(records)
            return time.perf_counter() - started
        finally:
            await consumer.stop()

    return asyncio.run(read())


@contextmanager
def workers(bootstrap: str, tmp: Path, count: int, *, case_events: str, totals: str, app_id: str
            ) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "REPORTING_STREAMS_APP_ID": app_id,
           "REPORTING_CASE_EVENTS_TOPIC": case_events, "REPORTING_TOTALS_TOPIC": totals,
           "REPORTING_STREAMS_REPLICAS": "1"}
    started = [start_worker(REPORTING_WORKER, env, tmp / f"worker-{n}", tmp / f"worker-{n}.log") for n in range(count)]
    try:
        yield started
    finally:
        for process in started:
            stop_worker(process, timeout=20)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def replay(bootstrap: str, tmp: Path, args: argparse.Namespace) -> None:
    tag = uuid.uuid4().hex[:8]
    case_events, totals = f"bench-case-events-{tag}", f"totals-bench-{tag}"
    create_topics(bootstrap, case_events, totals)
    cases = max(1, args.events * 10 // 33)  # ~3.3 events a case with these shares

    def sample() -> Iterator[dict[str, object]]:
        return iter_case_events(cases, seed=1, updates=2, transfer_share=0.1, close_share=0.2,
                                districts=MANY_DISTRICTS, days=90)

    count, produce_s = produce_all(bootstrap, case_events, sample())
    expected = expected_totals(sample())
    print(f"replay: {count} case events of {cases} cases produced in {produce_s:.1f} s")
    raw_s = raw_read(bootstrap, case_events, count)
    print(f"  raw aiokafka consumer (JSON parsed): {count / raw_s:,.0f} events/s")
    view = TimedView(bootstrap, topic=totals).start()
    assert view.wait_ready(30), view.error
    with workers(bootstrap, tmp, args.workers, case_events=case_events, totals=totals, app_id=f"bench-{tag}") as ps:
        wait_for(lambda: view.first_change is not None, 300, interval=0.01)
        cpu_before = {p.pid: cpu_seconds(p.pid) for p in ps}  # from the first change: start-up not counted
        with profiling(ps[0].pid, args.profile):
            done = wait_for(lambda: all(view.figures(lv, c) == f for (lv, c), f in expected.items()),
                            args.timeout, interval=0.5)
        finished = time.perf_counter()
        cpu = sum(cpu_seconds(p.pid) - cpu_before[p.pid] for p in ps)
    view.stop()
    if not done or view.first_change is None:
        raise SystemExit(f"totals did not reach the expected figures in {args.timeout} s; see {tmp}/worker-*.log")
    seconds = finished - view.first_change
    per_worker = count / seconds / args.workers
    print(f"  streamed totals, {args.workers} worker(s): {count / seconds:,.0f} events/s, {per_worker:,.0f} "
          f"events/s per worker (goal >= 20,000), {cpu * 1e6 / count:.0f} us CPU per event; ratio to raw "
          f"{count / seconds / (count / raw_s):.3f} (goal >= 0.1); totals equal the recount: yes")


def lag(bootstrap: str, tmp: Path, args: argparse.Namespace) -> None:
    tag = uuid.uuid4().hex[:8]
    case_events, totals = f"bench-lag-events-{tag}", f"totals-lag-{tag}"
    create_topics(bootstrap, case_events, totals)
    total = int(args.rate * args.seconds)
    events = list(iter_case_events(total, seed=2, updates=0, transfer_share=0, close_share=0,
                                   districts=MANY_DISTRICTS, days=90))
    values = [(str(e["case_id"]), json.dumps(e).encode()) for e in events]
    view = TimedView(bootstrap, topic=totals, poll=0.01).start()
    assert view.wait_ready(30), view.error
    with workers(bootstrap, tmp, 1, case_events=case_events, totals=totals, app_id=f"lag-{tag}"):
        warm = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
        key, value = values[0]
        warm.produce(case_events, key=key, value=value)  # the first one waits for the worker's start
        warm.flush(10)
        if not wait_for(lambda: view.figures("nation", "").get("registrants", 0) >= 1, 120):
            log = (tmp / "worker-0.log").read_text(errors="replace")
            first_error = max(0, log.find("Traceback") - 2000)
            raise SystemExit(f"the worker did not start:\n{log[first_error:first_error + 6000]}")
        produced: list[float] = []
        producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
        started = time.perf_counter()
        for n, (key, value) in enumerate(values[1:], start=1):
            due = started + n / args.rate
            while (now := time.perf_counter()) < due:
                time.sleep(min(due - now, 0.002))
            producer.produce(case_events, key=key, value=value)
            producer.poll(0)
            produced.append(time.perf_counter())
        producer.flush(10)
        wait_for(lambda: view.figures("nation", "").get("registrants", 0) >= total, 60)
    view.stop()
    seen = view.registrants
    lags, i = [], 0
    for k, at in enumerate(produced, start=2):  # the k-th registration in all (the warm-up one was first)
        while i < len(seen) and seen[i][1] < k:
            i += 1
        if i == len(seen):
            break
        lags.append(seen[i][0] - at)
    missing = len(produced) - len(lags)
    print(f"lag: {len(produced)} registrations at {args.rate}/s over {args.seconds} s, producer -> TotalsView: "
          f"p50 {percentile(lags, 0.5) * 1000:.0f} ms, p99 {percentile(lags, 0.99) * 1000:.0f} ms, max "
          f"{max(lags) * 1000:.0f} ms (goal p99 < 1 s)" + (f"; {missing} never seen" if missing else ""))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench reporting")
    parser.add_argument("--events", type=int, default=1_000_000, help="case events to replay")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rate", type=float, default=500, help="registrations per second for the lag run")
    parser.add_argument("--seconds", type=float, default=30, help="length of the lag run")
    parser.add_argument("--timeout", type=float, default=3600, help="longest wait for the replay")
    parser.add_argument("--skip-replay", action="store_true")
    parser.add_argument("--skip-lag", action="store_true")
    parser.add_argument("--profile", metavar="FILE", help="py-spy the first worker during the replay")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-reporting-") as tmp_dir:
        tmp = Path(tmp_dir)
        with DevKafka(tmp / "kafka", free_port(), free_port()) as kafka:
            print(f"bench/reporting: {machine()}; load average {os.getloadavg()[0]:.1f} at start")
            if not args.skip_replay:
                replay(kafka.bootstrap, tmp, args)
            if not args.skip_lag:
                lag(kafka.bootstrap, tmp, args)
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
