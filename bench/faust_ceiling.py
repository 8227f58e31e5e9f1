"""bench/faust-ceiling: how fast can one Faust worker go here, before any totals logic?

The streamed totals' goal is 20,000 case events/s per worker (docs/benchmarks.md). This measures the parts of
Faust a worker cannot avoid, on the same topic of sample case events, each in a fresh worker process:

- ``raw``: a raw aiokafka consumer parsing every record's JSON (the issue's baseline);
- ``agent``: a Faust agent that parses and acks every event (Faust's per-event stream machinery);
- ``bulk-read``: Faust's own consumer handing each fetched batch to one coroutine (a subclass that replaces
  Faust's per-message drain loop; the service's own is reporting/totals/batch_consumer.py), parsing and acking;
- ``bulk-table``: the same plus one Faust table read and write per event (RocksDB + one changelog record),
  acked once the broker acknowledged the changelog records;
- ``bulk-table-coalesced``: the same, each case written once per fetched batch;
- ``domain``: no Kafka and no Faust: the totals' own logic (``apply_case_event`` then ``Districts.apply`` for each
  change) over the same events in this process, its values kept as JSON bytes in dicts as a table keeps them.

``python -m bench faust-ceiling [--events N] [--modes raw,agent,...]``
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
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from bench.intake import machine
from bench.reporting import create_topics, produce_all, raw_read
from infra.dev.kafka import DevKafka
from infra.dev.testing import free_port
from reporting.totals.cases import apply_case_event
from reporting.totals.districts import Districts
from reporting.totals.sample import MANY_DISTRICTS, iter_case_events

MODES = ("raw", "agent", "bulk-read", "bulk-table", "bulk-table-coalesced", "domain")


def worker_app() -> Any:
    """The Faust app of one measured mode (from the environment the driver sets); prints one RESULT line."""
    import faust
    from faust.streams import _current_event
    from faust.tables.table import Table
    from faust.transport.drivers import aiokafka as driver

    class TrackedTable(Table[str, Any]):
        """Faust's table, keeping the futures of its changelog writes until ``drain``."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.unsettled: list[Any] = []

        def send_changelog(self, *args: Any, **kwargs: Any) -> Any:
            future = super().send_changelog(*args, **kwargs)
            self.unsettled.append(future)
            return future

        def drain(self) -> list[Any]:
            drained, self.unsettled = self.unsettled, []
            return drained

    topic_name, count, mode = os.environ["CEILING_TOPIC"], int(os.environ["CEILING_EVENTS"]), os.environ["CEILING_MODE"]
    state: dict[str, Any] = {"seen": 0, "started": None}

    def seen(n: int) -> None:
        state["started"] = state["started"] or time.perf_counter()
        state["seen"] += n
        if state["seen"] >= count:
            seconds = time.perf_counter() - state["started"]
            print(f"RESULT {state['seen']} {seconds:.3f}", flush=True)
            os._exit(0)

    class BatchConsumer(driver.Consumer):
        """Faust's consumer, each fetched batch of the measured topic handed to ``on_batch`` at once (Faust's
        own loop awaits a callback, in a task, per message)."""

        async def _drain_messages(self, fetcher: Any) -> None:
            read_offset = self._read_offset
            while not (self._stopped.is_set() or fetcher._stopped.is_set()):
                await self.sleep(0)
                batch = []
                async for tp, message in self.getmany(timeout=1.0):
                    known = read_offset[tp]
                    if known is None or message.offset >= known:
                        batch.append(message)
                        read_offset[tp] = message.offset
                if batch:
                    await self.wait_first(on_batch(batch), self.suspend_flow.wait())

    class BatchTransport(driver.Transport):
        Consumer = BatchConsumer

    class App(faust.App):
        def _new_transport(self) -> Any:
            return BatchTransport(self.conf.broker_consumer, self) if mode != "agent" else super()._new_transport()

    app = App(f"ceiling-{uuid.uuid4().hex[:8]}", broker=f"kafka://{os.environ['CEILING_BOOTSTRAP']}",
              store="rocksdb://", datadir=os.environ["CEILING_DATA"], web_enabled=False,
              consumer_auto_offset_reset="earliest", topic_replication_factor=1, stream_wait_empty=False)
    topic = app.topic(topic_name, value_type=bytes, value_serializer="raw")
    records = TrackedTable(app, name="case-records", default=None, key_type=str, partitions=6)
    app.tables.add(records)

    class Current:
        """What Faust's table and RocksDB store read from the current event: its message's partition."""

        __slots__ = ("__weakref__", "message")

        def __init__(self, message: Any) -> None:
            self.message = message

    def write(case_id: str, revision: int, into: dict[str, Any] | None = None) -> None:
        old = (into.get(case_id) if into is not None else None) or records.get(case_id) or {}
        value = {"case_id": case_id, "revisions": sorted({*old.get("revisions", ()), revision})}
        if into is None:
            records[case_id] = value
        else:
            into[case_id] = value

    async def on_batch(batch: list[Any]) -> None:
        by_partition: dict[int, list[Any]] = {}
        for message in batch:
            by_partition.setdefault(message.partition, []).append(message)
        for messages in by_partition.values():
            current = Current(messages[0])
            _current_event.set(weakref.ref(current))  # type: ignore[arg-type]
            coalesced: dict[str, Any] | None = {} if mode == "bulk-table-coalesced" else None
            for message in messages:
                event = json.loads(message.value)
                if mode != "bulk-read":
                    write(event["case_id"], event.get("revision", 0), coalesced)
            for case_id, value in (coalesced or {}).items():
                records[case_id] = value
            _current_event.set(None)
        written = records.drain()
        if written:
            await asyncio.gather(*written)
        for message in batch:
            app.consumer.ack(message)
        seen(len(batch))

    if mode == "agent":
        @app.agent(topic)
        async def read(stream: Any) -> None:
            async for event in stream.noack().events():
                json.loads(event.value)
                await stream.ack(event)
                seen(1)
    else:
        app.topics.add(topic)
    return app


class JsonValues(dict[str, bytes]):
    """A store as a Faust table keeps one: each value encoded on write and decoded on read."""

    def get(self, key: str, default: Any = None) -> Any:
        value = super().get(key)
        return orjson.loads(value) if value is not None else default

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, orjson.dumps(value))


def domain_rate(events: list[dict[str, Any]]) -> float:
    records, districts = JsonValues(), Districts(JsonValues(), JsonValues())
    started = time.perf_counter()
    for event in events:
        applied = apply_case_event(records, event)
        for change in applied[1] if applied else ():
            districts.apply(change)
    return len(events) / (time.perf_counter() - started)


def run_mode(bootstrap: str, topic: str, count: int, mode: str, tmp: Path) -> float:
    """Events per second of one mode, in a fresh worker process."""
    if mode == "raw":
        return count / raw_read(bootstrap, topic, count)
    env = {**os.environ, "CEILING_TOPIC": topic, "CEILING_EVENTS": str(count), "CEILING_MODE": mode,
           "CEILING_BOOTSTRAP": bootstrap, "CEILING_DATA": str(tmp / mode)}
    done = subprocess.run([sys.executable, "-m", "bench.faust_ceiling", "worker", "-l", "warn", "--without-web"],
                          env=env, capture_output=True, text=True, timeout=1800)
    # Faust's worker redirects stdout into its log (stderr): the line is found in either
    found = [line.split("RESULT", 1)[1].split() for line in (done.stdout + done.stderr).splitlines()
             if "RESULT" in line]
    if not found:
        raise SystemExit(f"{mode} did not finish:\n{done.stderr[-3000:]}")
    return int(found[0][0]) / float(found[0][1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench faust-ceiling")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--modes", default=",".join(MODES))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-faust-ceiling-") as tmp_dir:
        tmp = Path(tmp_dir)
        with DevKafka(tmp / "kafka", free_port(), free_port()) as kafka:
            print(f"bench/faust-ceiling: {machine()}; load average {os.getloadavg()[0]:.1f} at start")
            topic = f"ceiling-{uuid.uuid4().hex[:8]}"
            create_topics(kafka.bootstrap, topic)
            def sample() -> Iterator[dict[str, Any]]:
                return iter_case_events(max(1, args.events * 10 // 33), seed=1, updates=2, transfer_share=0.1,
                                        close_share=0.2, districts=MANY_DISTRICTS, days=90)

            count, _ = produce_all(kafka.bootstrap, topic, sample())
            baseline = None
            for mode in args.modes.split(","):
                rate = (domain_rate([json.loads(json.dumps(e)) for e in sample()]) if mode == "domain"
                        else run_mode(kafka.bootstrap, topic, count, mode, tmp))
                baseline = baseline or rate
                print(f"  {mode:<22} {rate:>9,.0f} events/s  ratio to the first {rate / baseline:.3f}", flush=True)


if __name__ == "__main__":
    if os.environ.get("CEILING_MODE"):
        worker_app().main()
    else:
        main(sys.argv[1:])
