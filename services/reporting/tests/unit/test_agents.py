"""The Faust agent and table of the streamed totals, in Faust's test context (no broker: records the worker sends
are captured by a fake ``send``, dead letters by a fake ``reject``; a memory store, and RocksDB through rocksdict)."""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import faust
import pytest
from prometheus_client import CollectorRegistry

import reporting.streams as streams_module
from contracts import registry
from contracts.logs import CORRELATION_HEADER, current_correlation_id
from reporting.streams import Streams, create_app
from reporting.totals.districts import TotalsRow
from reporting.totals.figures import NATION
from reporting.totals.rollup import roll_up
from reporting.totals.topics import CASE_EVENTS, TOTALS, TOTALS_CONFIG, broker_urls
from reporting.totals.view import rows_of

from .case_histories import Worker

EXAMPLES = [event for t in CASE_EVENTS.events for _, event in registry.examples(t, 1)]
STORES = ["memory://", "rocksdb://"]


class Sent:
    """Stands in for the producer: records what was sent; the broker acknowledges at once unless told."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str, dict[str, Any]]] = []
        self.acknowledge = True
        self.pending: list[asyncio.Future[Any]] = []

    async def __call__(self, topic: Any, key: str, value: dict[str, Any]) -> Awaitable[Any]:
        self.records.append((topic.get_topic_name(), key, copy.deepcopy(value)))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.acknowledge:
            future.set_result(None)
        else:
            self.pending.append(future)
        return future

    def rows(self) -> list[TotalsRow]:
        return [row for name, _, value in self.records if name == TOTALS.name
                for row in rows_of(json.loads(json.dumps(value)))]


class Rejected:
    """Stands in for the dead-letter publisher: what was rejected, and the correlation id bound meanwhile."""

    def __init__(self) -> None:
        self.letters: list[tuple[int, str, str | None]] = []

    async def __call__(self, event: Any, reason: str) -> None:
        self.letters.append((event.message.offset, reason, current_correlation_id()))


def run(test: Callable[..., Coroutine[Any, Any, None]], *args: Any) -> None:
    asyncio.run(test(*args))


def build(sent: Sent, store: str = "memory://", datadir: Path | None = None, rejected: Rejected | None = None,
          **kwargs: Any) -> Streams:
    options: dict[str, Any] = {"durable": False, **kwargs}
    streams = create_app(broker="localhost:1", store=store, datadir=datadir, send=sent,
                         reject=rejected or Rejected(), **options)
    streams.app.finalize()
    streams.app.flow_control.resume()
    streams.outcomes = []
    return streams


def partition_of(key: str, partitions: int = 6) -> int:
    return sum(key.encode()) % partitions  # any fixed choice: one key, one partition, as Kafka keys them


async def put(agent: Any, streams: Streams, values: list[tuple[str, bytes]],
              headers: dict[str, bytes] | None = None) -> list[Any]:
    """Hands ``values`` (key, raw value) to the agent and waits until it has collected them (the agent only
    collects; ``settle`` applies)."""
    before = len(streams.pending)
    events = [await agent.put(value, key=key, partition=partition_of(key), headers=headers)
              for key, value in values]
    for _ in range(1000):
        if len(streams.pending) >= before + len(values):
            break
        await asyncio.sleep(0)
    assert len(streams.pending) == before + len(values)
    return events


def raw_events(events: list[dict[str, Any]]) -> list[tuple[str, bytes]]:
    return [(event["case_id"], json.dumps(event, ensure_ascii=False).encode()) for event in events]


# --- the app -------------------------------------------------------------------------------------------


def test_no_app_is_built_at_import_time() -> None:
    assert not [name for name, value in vars(streams_module).items() if isinstance(value, faust.App)]


def test_topics_are_named_explicitly_and_the_totals_topic_is_compacted() -> None:
    async def check() -> None:
        streams = build(Sent())
        assert streams.case_events.get_topic_name() == "case-events" == CASE_EVENTS.name
        assert streams.totals.get_topic_name() == TOTALS.name == "totals"
        assert streams.totals.compacting and streams.totals.config == TOTALS_CONFIG
        assert TOTALS.cleanup_policy == TOTALS_CONFIG["cleanup.policy"] == "compact"
        assert streams.cases.partitions == CASE_EVENTS.partitions  # co-partitioned with its input
        assert streams.cases.changelog_topic.get_topic_name() == "reporting-cases-changelog"
        assert list(streams.app.tables) == ["cases"]  # one table: the case values; sums are derived
        assert streams.app.conf.processing_guarantee.value == "at_least_once"
        assert [str(url) for url in streams.app.conf.broker] == ["kafka://localhost:1"]
        assert not streams.app.conf.web_enabled  # no metrics port asked for

    run(check)


def test_broker_urls_from_bootstrap_servers() -> None:
    assert broker_urls("kafka-1:9092, kafka-2:9092") == ["kafka://kafka-1:9092", "kafka://kafka-2:9092"]
    assert broker_urls(["kafka://k:9092"]) == ["kafka://k:9092"]


def test_rocksdb_tables_use_rocksdict() -> None:
    assert importlib.util.find_spec("rocksdict") is not None
    from faust.stores import rocksdb

    assert rocksdb.USE_ROCKSDICT


# --- the agent, through Faust's test context ------------------------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_case_events_in_batches_give_the_totals_of_the_pure_pipeline(store: str, tmp_path: Path) -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent, store, tmp_path)
        # every example, then again backwards (older revisions after newer ones), then some a third time
        delivery = [*EXAMPLES, *EXAMPLES[::-1], *EXAMPLES[:5]]
        async with streams.agent.test_context() as agent:
            first = await put(agent, streams, raw_events(EXAMPLES))
            assert await streams.settle() == len(EXAMPLES)
            await put(agent, streams, raw_events(delivery[len(EXAMPLES):]))
            assert await streams.settle() == len(delivery) - len(EXAMPLES)
        assert streams.outcomes is not None
        assert streams.outcomes[len(EXAMPLES):] == ["unchanged"] * (len(delivery) - len(EXAMPLES))
        keys = [key for name, key, _ in sent.records if name == TOTALS.name]
        assert all(key.startswith("district:") and ":p" in key for key in keys)
        rollup, want = roll_up(sent.rows()), roll_up(Worker().batch(EXAMPLES))
        for level, code in (("nation", NATION), ("province", "47"), ("province", "48"), ("district", "1001")):
            assert rollup.figures(level, code) == want.figures(level, code)
        assert rollup.figures("nation", NATION)["registrants"] == 6
        assert rollup.figures("province", "48")["transfers_in_other_province"] == 1
        assert rollup.figures("district", "4701", "2026-12-09") == {"contacts": 1, "decisions": 1}
        case_id = "c-01JF0000000000000000000004"
        with streams_module.under(next(e for e in first if e.key == case_id)):  # as a batch reads the table
            case = streams.cases.get(case_id)
        assert case is not None and len(case["revisions"]) == 12 and case["part"] == partition_of(case_id)

    run(check)


class Writes(list[tuple[Any, asyncio.Future[Any]]]):
    """(key, future) of every changelog write; acknowledged at once while ``acknowledge``."""

    acknowledge = True


def changelog_of(streams: Streams, acknowledge: bool = True) -> Writes:
    """Watches the table's changelog writes (no producer runs here: their futures stay pending unless set)."""
    writes = Writes()
    writes.acknowledge = acknowledge
    original = streams.cases.send_changelog

    def send_changelog(partition: int | None, key: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        future = original(partition, key, value, *args, **kwargs)
        if writes.acknowledge:
            future.set_result(None)
        writes.append((key, future))
        return future

    streams.cases.send_changelog = send_changelog  # type: ignore[method-assign]
    return writes


def test_a_batch_writes_each_case_once_and_publishes_each_row_once() -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent, durable=True)
        streams.owned = None  # no assignment in the test context
        writes = changelog_of(streams)
        case4 = [e for e in EXAMPLES if e["case_id"].endswith("04")]
        async with streams.agent.test_context() as agent:
            events = await put(agent, streams, raw_events(case4 + case4[::-1]))
            assert await streams.settle() == len(events)
        assert [key for key, _ in writes] == [case4[0]["case_id"]]  # 24 events, one write
        keys = [key for name, key, _ in sent.records if name == TOTALS.name]
        assert len(keys) == len(set(keys)) == 1 + len({e["occurred_at"][:7] for e in case4})
        assert all(event.message.acked for event in events)

    run(check)


def test_a_contract_breaking_event_goes_to_the_dead_letters_with_its_correlation_id_and_is_acked(
        caplog: pytest.LogCaptureFixture) -> None:
    async def check() -> None:
        sent, rejected = Sent(), Rejected()
        streams = build(sent, rejected=rejected)
        good = dict(registry.examples("CaseRegistered", 1))["online.json"]
        bad = [b"not json",
               json.dumps(dict(registry.examples("AuditRecorded", 1))["case-read.json"]).encode(),  # not carried
               json.dumps(good | {"principal_satang": 1e20}).encode(),  # impossible
               json.dumps(good | {"debt_count": "two"}).encode()]  # breaks the schema
        async with streams.agent.test_context() as agent:
            events = await put(agent, streams, [("c-x", value) for value in bad],
                               headers={CORRELATION_HEADER: b"req-42"})
            events += await put(agent, streams, raw_events([good]))
            with caplog.at_level(logging.ERROR, logger="reporting.streams"):
                assert await streams.settle() == 5
        assert all(event.message.acked for event in events)  # the stream goes on past them
        assert streams.outcomes == ["refused"] * 4 + ["applied"]
        assert [offset for offset, _, _ in rejected.letters] == [e.message.offset for e in events[:4]]
        assert {correlation for _, _, correlation in rejected.letters} == {"req-42"}
        assert "not JSON" in rejected.letters[0][1] and "principal_satang" in rejected.letters[2][1]
        assert "debt_count" in rejected.letters[3][1]
        assert len([r for r in caplog.records if "refused" in r.getMessage()]) == 4
        assert roll_up(sent.rows()).figures("nation", NATION)["registrants"] == 1  # the good one counted

    run(check)


def test_a_batch_is_acked_only_once_its_changelog_writes_and_rows_are_acknowledged() -> None:
    async def check() -> None:
        sent = Sent()
        sent.acknowledge = False
        streams = build(sent, durable=True, ack_timeout=0.05)
        streams.owned = None
        event_json = dict(registry.examples("CaseRegistered", 1))["online.json"]
        writes = changelog_of(streams, acknowledge=False)
        async with streams.agent.test_context() as agent:
            (event,) = await put(agent, streams, raw_events([event_json]))
            with pytest.raises(TimeoutError):  # neither the changelog write nor the rows are acknowledged
                await streams.settle()
            assert not event.message.acked and len(writes) == 1 and sent.pending
            for future in sent.pending:
                future.set_result(None)
            sent.pending.clear()
            streams.pending.append(event)  # the worker would crash and read it again; here: settle again
            with pytest.raises(TimeoutError):  # the rows are, the (first) changelog write still is not
                await streams.settle()
            assert not event.message.acked and not writes[0][1].cancelled()  # the producer's future left alone
            sent.acknowledge = writes.acknowledge = True
            for _, future in writes:
                if not future.done():
                    future.set_result(None)
            streams.pending.append(event)
            streams.ack_timeout = 1.0
            assert await streams.settle() == 1
            assert event.message.acked

    run(check)


@pytest.mark.parametrize("store", STORES)
def test_sums_are_forgotten_when_partitions_move_and_rebuilt_from_the_table(store: str, tmp_path: Path) -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent, store, tmp_path)
        async with streams.agent.test_context() as agent:
            await put(agent, streams, raw_events(EXAMPLES[:6]))
            await streams.settle()
            before = dict(streams.partials.units)
            assert before and streams.partials.built
            await streams.app.on_partitions_revoked.send(set())
            assert not streams.partials.units and not streams.partials.built
            await put(agent, streams, raw_events(EXAMPLES[:6]))  # redelivered after the rebalance
            await streams.settle()
            assert streams.partials.units == before  # rebuilt from the table: nothing counted twice
            await streams.app.on_partitions_assigned.send(set())
            assert not streams.partials.built

    run(check)


def test_the_quiet_stream_timer_settles_only_late_batches() -> None:
    async def check() -> None:
        streams = build(Sent(), batch_wait=60.0)
        async with streams.agent.test_context() as agent:
            await put(agent, streams, raw_events(EXAMPLES[:2]))
            assert await streams.settle_late() == 0 and len(streams.pending) == 2  # not waited long enough
            streams.oldest -= 61
            assert await streams.settle_late() == 2 and not streams.pending

    run(check)


def test_a_full_batch_is_applied_by_the_agent_itself() -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent, batch=3)
        async with streams.agent.test_context() as agent:
            events = [await agent.put(value, key=key, partition=0) for key, value in raw_events(EXAMPLES[:3])]
            for _ in range(1000):
                if events[-1].message.acked:
                    break
                await asyncio.sleep(0)
            assert all(event.message.acked for event in events) and not streams.pending

    run(check)


# --- operations ----------------------------------------------------------------------------------------


def test_faust_sensors_are_served_for_prometheus_on_the_workers_own_port() -> None:
    async def check() -> None:
        from faust.sensors.prometheus import PrometheusMonitor

        registry_ = CollectorRegistry()
        streams = build(Sent(), metrics=registry_, web_port=16066, web_bind="127.0.0.1")
        conf = streams.app.conf
        assert conf.web_enabled and conf.web_port == 16066 and conf.web_bind == "127.0.0.1"
        assert isinstance(streams.app.monitor, PrometheusMonitor)
        names = {metric.name for metric in registry_.collect()}
        assert {"reporting_worker_messages_received", "reporting_worker_events_runtime_ms",
                "reporting_worker_topic_partition_offset_commited"} <= names, sorted(names)
        streams.app.web.init_server()
        routes = {str(route) for route in streams.app.web.views}
        assert "/metrics" in routes, routes
        assert not [route for route in routes if route.startswith(("/table", "/router", "/graph", "/stats"))]

    run(check)


def test_the_worker_settings_keep_the_metrics_port_private_and_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = streams_module.WorkerSettings()
    assert (settings.metrics_port, settings.metrics_bind) == (6066, "127.0.0.1")
    monkeypatch.setenv("REPORTING_WORKER_METRICS_PORT", "0")
    assert streams_module.WorkerSettings().metrics_port == 0  # off


def test_nothing_is_applied_while_the_table_is_being_restored() -> None:
    async def check() -> None:
        streams = build(Sent())
        async with streams.agent.test_context() as agent:
            await put(agent, streams, raw_events(EXAMPLES[:3]))
            streams.app.in_recovery = True  # Faust restoring the changelog: stored values not all there yet
            assert await streams.settle() == 0 and len(streams.pending) == 3
            streams.app.in_recovery = False
            assert await streams.settle() == 3

    run(check)
