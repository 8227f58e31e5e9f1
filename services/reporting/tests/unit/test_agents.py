"""The Faust agents and tables of the streamed totals, in Faust's test context (no broker: records the agents
send are captured by a fake ``send``; a memory store, and RocksDB through rocksdict where installed)."""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import json
import socket
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, cast

import faust
import httpx
import pytest

import reporting.streams as streams_module
from contracts import registry
from contracts.logs import CORRELATION_HEADER
from reporting.streams import Streams, create_app
from reporting.totals.cases import Statement, apply_case_event
from reporting.totals.districts import Districts, TotalsRow
from reporting.totals.durable import AckWhenDurable
from reporting.totals.figures import NATION
from reporting.totals.rollup import RollUp, roll_up
from reporting.totals.topics import CASE_EVENTS, TOTALS, TOTALS_CONFIG, UNIT_CHANGES, broker_urls

EXAMPLES = [event for t in CASE_EVENTS.events for _, event in registry.examples(t, 1)]
STORES = ["memory://", pytest.param("rocksdb://", marks=pytest.mark.skipif(
    importlib.util.find_spec("rocksdict") is None, reason="rocksdict not installed"))]


class Sent:
    """Stands in for the producer: records what was sent; the broker acknowledges at once unless told."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str, dict[str, Any]]] = []
        self.headers: list[tuple[str, str, list[tuple[str, bytes]]]] = []
        self.acknowledge = True
        self.pending: list[asyncio.Future[Any]] = []

    async def __call__(self, topic: Any, key: str, value: dict[str, Any], headers: list[tuple[str, bytes]]
                       ) -> Awaitable[Any]:
        self.records.append((topic.get_topic_name(), key, copy.deepcopy(value)))
        self.headers.append((topic.get_topic_name(), key, headers))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.acknowledge:
            future.set_result(None)
        else:
            self.pending.append(future)
        return future

    def take(self, topic: str) -> list[tuple[str, dict[str, Any]]]:
        taken = [(key, value) for name, key, value in self.records if name == topic]
        self.records = [r for r in self.records if r[0] != topic]
        return taken


def run(test: Callable[..., Coroutine[Any, Any, None]], *args: Any) -> None:
    asyncio.run(test(*args))


def build(sent: Sent, store: str = "memory://", datadir: Path | None = None, **kwargs: Any) -> Streams:
    options: dict[str, Any] = {"durable": False, "ack_batch": 1, **kwargs}
    streams = create_app(broker="localhost:1", store=store, datadir=datadir, send=sent, **options)
    streams.app.finalize()
    streams.app.flow_control.resume()
    return streams


def partition_of(key: str, partitions: int = 6) -> int:
    return sum(key.encode()) % partitions  # any fixed choice: one key, one partition, as Kafka keys them


async def put_case_events(streams: Streams, events: list[dict[str, Any]]) -> list[str]:
    async with streams.cases.test_context() as agent:
        for event in events:
            await agent.put(json.dumps(event, ensure_ascii=False).encode(), key=event["case_id"],
                            partition=partition_of(event["case_id"]))
        return list(agent.results.values())


async def put_unit_changes(streams: Streams, changes: list[tuple[str, dict[str, Any]]]) -> list[str]:
    async with streams.units.test_context() as agent:
        for district, change in changes:
            await agent.put(change, key=district, partition=partition_of(district))
        return list(agent.results.values())


def pure_totals(events: list[dict[str, Any]]) -> RollUp:
    """The same events through the pure functions (reporting.totals.cases, .districts, .rollup), for comparison."""
    records: dict[str, Any] = {}
    districts = Districts({}, {})
    rows: list[TotalsRow] = []
    for event in events:
        result = apply_case_event(records, event)
        assert result is not None
        rows.extend(districts.apply(change)[1] for change in result[1])
    return roll_up(rows)


# --- the app -------------------------------------------------------------------------------------------


def test_no_app_is_built_at_import_time() -> None:
    assert not [name for name, value in vars(streams_module).items() if isinstance(value, faust.App)]


def test_topics_are_named_explicitly_and_the_totals_topic_is_compacted() -> None:
    async def check() -> None:
        streams = build(Sent())
        assert streams.case_events.get_topic_name() == "case-events" == CASE_EVENTS.name
        assert streams.unit_changes.get_topic_name() == UNIT_CHANGES
        assert streams.totals.get_topic_name() == TOTALS.name == "totals"
        assert streams.totals.compacting and streams.totals.config == TOTALS_CONFIG
        assert TOTALS.cleanup_policy == TOTALS_CONFIG["cleanup.policy"] == "compact"
        assert streams.case_records.partitions == CASE_EVENTS.partitions
        assert {t.changelog_topic.get_topic_name() for t in (streams.case_records, streams.unit_buckets,
                                                              streams.unit_days)} == {
            "reporting-case-records-changelog", "reporting-unit-buckets-changelog", "reporting-unit-days-changelog"}
        assert streams.app.conf.processing_guarantee.value == "at_least_once"
        assert [str(url) for url in streams.app.conf.broker] == ["kafka://localhost:1"]

    run(check)


def test_broker_urls_from_bootstrap_servers() -> None:
    assert broker_urls("kafka-1:9092, kafka-2:9092") == ["kafka://kafka-1:9092", "kafka://kafka-2:9092"]
    assert broker_urls(["kafka://k:9092"]) == ["kafka://k:9092"]


def test_rocksdb_tables_use_rocksdict_when_it_is_installed() -> None:
    if importlib.util.find_spec("rocksdict") is None:
        pytest.skip("rocksdict not installed")
    from faust.stores import rocksdb

    assert rocksdb.USE_ROCKSDICT


# --- the agents, end to end through both test contexts ------------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_case_events_through_both_agents_give_the_totals(store: str, tmp_path: Path) -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent, store, tmp_path)
        # every example, then again backwards (older revisions after newer ones), then some a third time
        delivery = [*EXAMPLES, *EXAMPLES[::-1], *EXAMPLES[:5]]
        outcomes = await put_case_events(streams, delivery)
        assert outcomes[: len(EXAMPLES)].count("applied") == len(EXAMPLES)
        assert set(outcomes[len(EXAMPLES):]) == {"unchanged"}
        changes = sent.take(UNIT_CHANGES)
        # one record per district and batch of events (acks batch one event here), keyed by the district
        assert all(message["kind"] == "changes" and {c["district"] for c in message["changes"]} == {key}
                   for key, message in changes)
        assert await put_unit_changes(streams, changes) and sent.records
        published = sent.take(TOTALS.name)
        rows = [TotalsRow.from_json(value) for _, value in published]
        assert [key for key, _ in published] == [row.key for row in rows]  # compaction keeps each unit's latest
        rollup, want = roll_up(rows), pure_totals(EXAMPLES)
        for level, code in (("nation", NATION), ("province", "47"), ("province", "48"), ("district", "1001")):
            assert rollup.figures(level, code) == want.figures(level, code)
        assert rollup.figures("nation", NATION)["registrants"] == 6
        assert rollup.figures("province", "48")["transfers_in_other_province"] == 1
        assert rollup.figures("district", "4701", "2026-12-09") == {"contacts": 1, "decisions": 1}
        # the tables hold what the pure functions stored, through the store's serialisation
        case = streams.case_records.get("c-01JF0000000000000000000004")
        assert case is not None and len(case["revisions"]) == 12

    run(check)


def test_the_units_agent_applies_a_redelivered_change_once_and_publishes_again() -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent)
        await put_case_events(streams, [e for e in EXAMPLES if e["case_id"].endswith("06")])
        changes = sent.take(UNIT_CHANGES)
        assert await put_unit_changes(streams, changes) == ["applied"] * len(changes)
        first = [TotalsRow.from_json(v) for _, v in sent.take(TOTALS.name)]
        assert await put_unit_changes(streams, changes) == ["unchanged"] * len(changes)
        again = [TotalsRow.from_json(v) for _, v in sent.take(TOTALS.name)]
        latest = {row.key: row for row in first}
        # published again, at the latest version: the first may not have reached the broker
        assert first and {row.key for row in again} == set(latest) and all(row == latest[row.key] for row in again)

    run(check)


def test_the_correlation_id_of_a_case_event_travels_onto_the_unit_changes_and_the_totals_rows_it_moved() -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent)
        event = next(e for e in EXAMPLES if e["event_type"] == "CaseRegistered")
        async with streams.cases.test_context() as agent:
            await agent.put(json.dumps(event, ensure_ascii=False).encode(), key=event["case_id"],
                            partition=partition_of(event["case_id"]),
                            headers={CORRELATION_HEADER: b"req-42", "event_type": b"CaseRegistered"})
        changes = sent.take(UNIT_CHANGES)
        assert changes and {tuple(h) for t, _, h in sent.headers if t == UNIT_CHANGES} == {
            ((CORRELATION_HEADER, b"req-42"),)}
        async with streams.units.test_context() as agent:
            for district, change in changes:
                await agent.put(change, key=district, partition=partition_of(district),
                                headers={CORRELATION_HEADER: b"req-42"})
        rows = [h for t, _, h in sent.headers if t == TOTALS.name]
        assert rows and all(h == [(CORRELATION_HEADER, b"req-42")] for h in rows)
        # a record from an event without an id carries none (not the previous one's)
        await put_case_events(streams, [event])
        assert [h for t, _, h in sent.headers if t == UNIT_CHANGES][-1] == []

    run(check)


@pytest.mark.parametrize(("value", "breaks_contract"), [
    (b"not json", True),
    (json.dumps(dict(registry.examples("AuditRecorded", 1))["case-read.json"]).encode(), True),  # not on case-events
    # Within the contract but no case can have it: refused and alerted on (ImpossibleTotals), not dead-lettered.
    (json.dumps(dict(registry.examples("CaseRegistered", 1))["online.json"] | {"principal_satang": 1e20}).encode(),
     False),
])
def test_a_case_event_that_cannot_count_is_refused_acked_and_changes_nothing(value: bytes,
                                                                            breaks_contract: bool) -> None:
    async def check() -> None:
        sent, letters = Sent(), []

        async def reject(event: Any, reason: str) -> None:
            assert not event.message.acked  # the dead letter goes out before the event is acked
            letters.append((event.message.value, reason))

        streams = build(sent, reject=reject)
        async with streams.cases.test_context() as agent:
            event = await agent.put(value, key="c-x")
            assert list(agent.results.values()) == ["refused"]
        assert event.message.acked  # skipped, not retried: no retry can fix it
        assert not sent.records and not list(streams.case_records.keys())
        assert [raw for raw, _ in letters] == ([value] if breaks_contract else [])  # dead letters, with the reason
        assert all(reason for _, reason in letters)

    run(check)


def test_a_broken_unit_change_is_refused() -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent)
        bad = {"kind": "case", "case_id": "c", "version": 1, "district": "4701", "figures": {"registrants": -1}}
        assert await put_unit_changes(streams, [("4701", bad)]) == ["refused"]
        assert not sent.records and not list(streams.unit_buckets.keys())

    run(check)


def test_an_event_is_acked_only_once_its_changelog_writes_and_records_are_acknowledged() -> None:
    async def check() -> None:
        sent = Sent()
        sent.acknowledge = False
        streams = build(sent, durable=True, ack_batch=1000)  # never due: only settle() acks
        event_json = dict(registry.examples("CaseRegistered", 1))["online.json"]
        async with streams.cases.test_context() as agent:
            event = await agent.put(json.dumps(event_json).encode(), key=event_json["case_id"])
            (acks,) = streams.acks
            changelog = [cast(asyncio.Future[Any], f) for f in acks.sent]
            assert len(changelog) == 1 and not sent.pending  # the record's write; its changes wait for settle()
            assert not event.message.acked
            acks.timeout = 0.05
            with pytest.raises(TimeoutError):  # settle() sent the district's changes; nothing acknowledged yet
                await acks.settle()
            (changes,) = sent.pending  # a statement and a happening, one record for their district
            assert sent.records[-1][0] == UNIT_CHANGES and len(sent.records[-1][2]["changes"]) == 2
            assert not event.message.acked and not acks.events  # dropped unacked: the worker crashes, reads again
            changes.set_result(None)
            acks.track(event, [changes, *changelog])
            with pytest.raises(TimeoutError):  # the changelog write is not acknowledged yet
                await acks.settle()
            assert not event.message.acked
            assert not changelog[0].cancelled()  # the producer's future is left alone
            acks.track(event, changelog)
            changelog[0].set_result(None)
            assert await acks.settle() == 1
            assert event.message.acked

    run(check)


def test_district_sums_are_forgotten_when_partitions_move() -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent)
        await put_case_events(streams, EXAMPLES[:3])
        await put_unit_changes(streams, sent.take(UNIT_CHANGES))
        assert streams.districts.sums
        await streams.app.on_partitions_revoked.send(set())
        assert not streams.districts.sums
        await put_unit_changes(streams, [("4701", Statement("c-new", 1, "4701", {"registrants": 1}).as_json())])
        assert streams.districts.sums
        await streams.app.on_partitions_assigned.send(set())
        assert not streams.districts.sums

    run(check)


# --- acks ----------------------------------------------------------------------------------------------


def test_ack_when_durable_acks_in_order_after_every_future_and_never_on_failure() -> None:
    async def check() -> None:
        acked: list[str] = []

        async def ack(event: str) -> None:
            acked.append(event)

        loop = asyncio.get_running_loop()
        acks = AckWhenDurable(ack, batch=2, timeout=1.0)
        first, second = loop.create_future(), loop.create_future()
        acks.track("e1", [first])
        assert not acks.due
        acks.track("e2", [second])
        assert acks.due
        settling = asyncio.ensure_future(acks.settle())
        first.set_result(None)
        await asyncio.sleep(0.01)
        assert not acked  # e2's record is not acknowledged yet
        second.set_result(None)
        assert await settling == 2 and acked == ["e1", "e2"]

        failed = loop.create_future()
        acks.track("e3", [failed])
        failed.set_exception(RuntimeError("broker refused"))
        with pytest.raises(RuntimeError):
            await acks.settle()
        assert acked == ["e1", "e2"]
        acks.track("e4", [])
        assert await acks.settle() == 1 and acked[-1] == "e4"

    run(check)


def test_an_event_tracked_while_a_settle_flushes_is_acked_only_after_its_pending_records_are_sent() -> None:
    """Found while batching: a settle took events tracked during its flush but not their pending records,
    acked them, and nothing sent those records until the next event arrived."""
    async def check() -> None:
        acked: list[str] = []
        pending: list[str] = []
        sent: list[str] = []
        loop = asyncio.get_running_loop()
        broker: list[asyncio.Future[Any]] = []

        async def ack(event: str) -> None:
            acked.append(event)

        async def flush() -> list[Awaitable[Any]]:
            taken = list(pending)
            pending.clear()
            await asyncio.sleep(0)  # sending yields to the loop: the agent tracks another event meanwhile
            sent.extend(taken)
            futures = [loop.create_future() for _ in taken]
            for future in futures:
                future.set_result(None)
            broker.extend(futures)
            return list(futures)

        acks = AckWhenDurable(ack, batch=100, timeout=1.0, flush=flush)
        pending.append("changes of e1")
        acks.track("e1", [])
        first = asyncio.ensure_future(acks.settle())
        await asyncio.sleep(0)  # the settle is in its flush now
        pending.append("changes of e2")
        acks.track("e2", [])
        assert await first == 1 and acked == ["e1"]  # e2 was tracked after the settle took its events
        assert await acks.settle() == 1 and acked == ["e1", "e2"]
        assert sent == ["changes of e1", "changes of e2"]  # e2's records went out before e2 was acked

    run(check)


def test_the_worker_serves_faust_sensors_and_its_counters_on_its_metrics_port() -> None:
    from prometheus_client import CollectorRegistry

    from reporting.worker_process import expose_metrics

    registry = CollectorRegistry()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    streams = build(Sent())
    expose_metrics(streams, port, "127.0.0.1", registry)
    body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert "reporting_worker_messages_received_total" in body and "reporting_worker_total_rebalances" in body
    assert type(streams.app.monitor).__name__ == "PrometheusMonitor"
