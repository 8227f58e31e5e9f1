"""Streamed totals with Faust: the app factory, its topics (named explicitly), its one table and one agent.

Nothing is built at import time: :func:`create_app` builds an app for a broker it is given, and
``python -m reporting.streams worker -l info`` runs one configured from the environment.

Topology (the logic is ``reporting.totals.batch`` and ``.partials``; ``.partials`` gives the idempotency
argument, ``.cases`` the join it rests on)::

    case-events (key case_id) ──[agent totals: table cases, key case_id]──> totals (compacted)
        rows: one partition's share of a district (all-time, and the days of a month), summed by readers

Batches. The agent reads events one by one (Faust's per-event path, the cheapest it has: ``events()`` of a
``noack()`` stream; ``take()`` measured slower) and only collects them; every ``batch`` events, or once the
first of them has waited ``batch_wait`` seconds, :meth:`Streams.settle` applies the whole batch: each value
decoded and checked (fast path, ``totals.batch.decode``), events grouped by case, each case's stored value
read once, joined with all its events in memory, written once; the per-partition district sums
(``totals.partials.Partials``) updated from old value to new; one row published per touched district and
month; then, once the broker has acknowledged every write (table changelog, rows, dead letters), the batch's
events are acked (``reporting.totals.durable``). A failure crashes the worker (``CrashingSupervisor``) with
the batch unacked, so it is read again after the restart, which changes nothing.

No repartitioning, no ``group_by``: everything a row is made of comes from the cases of one partition, so a
district's figures are the sum of its partial rows (one per partition of case-events), added up by every
reader (``totals.view``). The table is co-partitioned with case-events and changelog-backed under Faust's
own changelog name (user-named changelogs fail to restore, robinhood #523).

Faust and delivery. ``processing_guarantee`` stays at-least-once: exactly_once has open bugs (faust-streaming
#177, #323, #517) and correctness does not need it. Faust acks an event when the agent moves on, even if the
agent raised, and its commit flush gives up on its changelog buffer after 0.1 s without progress; hence the
manual acks above. After a rebalance the table may hold other values than this worker last wrote: the sums
are forgotten on every assignment change and rebuilt from the table before the next batch is applied.

Operations. Faust's sensors are exposed for Prometheus (``faust.sensors.prometheus``, names
``reporting_worker_*``) with the worker's own counters (``streamed_totals_*``) at ``/metrics`` on the
worker's web port (``REPORTING_WORKER_METRICS_PORT``, default 6066, bound to ``REPORTING_WORKER_METRICS_BIND``,
default 127.0.0.1; ``0`` turns the web server off). An event that breaks the contract goes to the dead-letter
topic (``contracts.dead_letters``) before it is acked; log lines about an event carry its correlation id
(``contracts.logs``).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import weakref
from collections import Counter as Tally
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faust
from faust.streams import _current_event
from faust.types import TP
from mode import CrashingSupervisor
from prometheus_client import REGISTRY, CollectorRegistry, Counter
from pydantic import AliasChoices, Field

from contracts import codec
from contracts.dead_letters import DeadLetterPublisher
from contracts.logs import bound_correlation, configure_logging, correlation_from_headers
from reporting.settings import Settings
from reporting.totals.batch import apply_partition, decode
from reporting.totals.durable import BatchProducer, BatchTable, Send, TrackedTable, send_now, wait_durable
from reporting.totals.figures import ImpossibleFigures
from reporting.totals.partials import Partials
from reporting.totals.topics import (
    CASE_EVENTS,
    TOTALS,
    TOTALS_CONFIG,
    broker_urls,
    ensure_internal_topics,
)

log = logging.getLogger(__name__)

INPUTS = Counter("streamed_totals_inputs_total", "Records read by the streamed totals, by agent and outcome "
                 "(applied, unchanged: redelivered or older; ignored: not about figures; refused: impossible "
                 "or breaking its contract, sent to the dead letters and alerted on)", ["agent", "outcome"])
IMPOSSIBLE_TOTALS = Counter("streamed_totals_impossible_total", "District rows not published because a sum "
                            "passed int64 (alerted on)")
BATCHES = Counter("streamed_totals_batches_total", "Batches of case events applied and acked")

# (event, reason) -> returns once the dead letter is acknowledged (contracts.dead_letters), or raises
Reject = Callable[[Any, str], Awaitable[None]]


@contextmanager
def under(event: Any) -> Iterator[None]:
    """Faust's current event set to ``event`` while a batch reads and writes the table: a table picks the
    RocksDB partition and the changelog partition of a key from the current event."""
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)


def correlation_of(event: Any) -> str | None:
    return correlation_from_headers(getattr(getattr(event, "message", None), "headers", None))


@dataclass
class Streams:
    """One Faust app and what it is made of, for the worker, the tests and the bench."""

    app: Any
    case_events: Any
    totals: Any
    cases: TrackedTable
    send: Send
    reject: Reject
    ack_timeout: float = 60.0
    owned: Callable[[], set[TP]] | None = None  # the partitions assigned now; None in tests: no assignment there
    agent: Any = None
    ack: Callable[[Any], Awaitable[Any]] | None = None  # the agent's stream's ack (noack stream)
    writer: BatchProducer | None = None  # writes the table and sends the rows of a batch; None in tests
    pending: list[Any] = field(default_factory=list)
    oldest: float = 0.0  # when the first pending event arrived (time.monotonic)
    max_wait: float = 0.5
    partials: Partials = field(default_factory=Partials)
    settling: asyncio.Lock = field(default_factory=asyncio.Lock)
    outcomes: list[str] | None = None  # every event's outcome, in order, when a test asks for them

    def carries(self, event_type: str, version: int) -> bool:
        return CASE_EVENTS.carries(event_type, version)

    async def settle(self) -> int:
        """Applies the events collected so far as one batch and acks them once durable; the number acked."""
        async with self.settling:
            if getattr(self.app, "in_recovery", False) or getattr(self.app, "rebalancing", False):
                # Until Faust has restored the table and sought every partition back to its committed offset
                # (its "Worker ready"), nothing is read, summed or acked: the events wait.
                return 0
            events, self.pending = self.pending, []
            if not events:
                return 0
            return await self._apply(events)

    async def settle_late(self) -> int:
        """From a timer: settles once the oldest pending event has waited ``max_wait`` (a quiet or slow stream)."""
        if self.pending and time.monotonic() - self.oldest >= self.max_wait:
            return await self.settle()
        return 0

    async def _apply(self, events: list[Any]) -> int:
        outcomes: list[str] = ["skipped"] * len(events)
        by_part: dict[int, dict[str, list[tuple[int, Mapping[str, Any]]]]] = {}
        last_of_part: dict[int, Any] = {}
        rejected: list[tuple[int, str]] = []
        owned = self.owned() if self.owned is not None else None
        for index, event in enumerate(events):
            message = event.message
            if owned is not None and message.tp not in owned:
                continue  # revoked while batched: the partition's new owner reads it again; never acked here
            try:
                data = decode(event.value, self.carries)
            except codec.ContractError as broken:
                rejected.append((index, str(broken)))
                continue
            case_id = data.get("case_id")
            by_part.setdefault(message.partition, {}).setdefault(case_id if isinstance(case_id, str) else "",
                                                                 []).append((index, data))
            last_of_part[message.partition] = event
        # From here to take_rows nothing awaits: a rebalance (forget_sums) cannot fall between sums and rows.
        self._rebuild_sums(set(by_part) - self.partials.built)
        for part, cases in by_part.items():
            with under(last_of_part[part]):
                table = self.cases if self.writer is None else BatchTable(self.cases, self.writer, part)
                apply_partition(table, self.partials, part, cases, outcomes, rejected)
        rows = self.partials.take_rows()
        sent = [*self.cases.drain()]
        if self.writer is not None and self.writer.batch is not None:
            sent.append(self.writer.batch)
        for index, reason in sorted(rejected):  # in the order they were read
            outcomes[index] = "refused"
            await self._reject(events[index], reason)
        for row in rows:
            try:
                row.check()
            except ImpossibleFigures as impossible:
                IMPOSSIBLE_TOTALS.inc()
                log.error("not publishing %s: %s", row.key, impossible)
                continue
            sent.append(await self.send(self.totals, row.key, row.as_json()))
        if self.writer is not None:
            await self.writer.flush()
        await wait_durable(sent, self.ack_timeout)
        assert self.ack is not None, "settled before the agent started"
        acked = 0
        for event, outcome in zip(events, outcomes, strict=True):
            if outcome != "skipped":
                await self.ack(event)
                acked += 1
        tally = Tally(outcomes)
        for outcome, count in tally.items():
            INPUTS.labels("totals", outcome).inc(count)
        if tally["skipped"]:
            log.warning("%d events of revoked partitions left to their new owner", tally["skipped"])
        BATCHES.inc()
        if self.outcomes is not None:
            self.outcomes.extend(outcomes)
        return acked

    def _rebuild_sums(self, parts: set[int]) -> None:
        """The sums of partitions this worker has not summed since it got them, from the stored case values."""
        if not parts:
            return
        values = self._stored(parts)
        self.partials.rebuild(parts, values)
        log.info("district sums of partitions %s rebuilt from %d stored cases", sorted(parts), len(values))

    def _stored(self, parts: set[int]) -> list[Any]:
        """Every stored case value of ``parts``. RocksDB: read partition by partition, each database opened
        if it is not yet (Faust's own iteration covers only the databases it happens to have open, and one
        missed here would leave its cases out of the sums for good). Other stores: all values (filtered by
        their ``part`` in ``Partials.rebuild``)."""
        store: Any = self.cases.data
        if not hasattr(store, "_db_for_partition"):
            return list(self.cases.values())
        return [store._decode_value(raw) for part in sorted(parts)
                for _, raw in store._visible_items(store._db_for_partition(part))]

    async def _reject(self, event: Any, reason: str) -> None:
        message = event.message
        with bound_correlation(correlation_of(event)):
            log.error("refused %s[%s]@%s: %s", message.topic, message.partition, message.offset, reason)
            await self.reject(event, reason)

    async def forget_sums(self, *args: Any, **kwargs: Any) -> None:
        """On every assignment change: another worker may have written these partitions' cases since, and
        Faust reads every partition again from its committed offset, so the events waiting here (none acked)
        come again: dropped, not applied or acked across the rebalance."""
        self.partials.forget()
        self.pending.clear()


def dead_letters(bootstrap: str | Sequence[str], consumer: str) -> Reject:
    """Dead letters through ``contracts.dead_letters`` (a synchronous publisher, so in a thread)."""
    publisher: list[DeadLetterPublisher] = []
    servers = bootstrap if isinstance(bootstrap, str) else ",".join(bootstrap)

    async def reject(event: Any, reason: str) -> None:
        if not publisher:
            publisher.append(DeadLetterPublisher(servers.replace("kafka://", ""), consumer))
        message = event.message
        await asyncio.to_thread(publisher[0].publish, message.topic, message.partition, message.offset,
                                message.value, reason, correlation_of(event))

    return reject


def create_app(
    *,
    broker: str | Sequence[str],
    app_id: str = "reporting",
    store: str = "rocksdb://",
    datadir: str | Path | None = None,
    replicas: int = 1,
    durable: bool = True,
    send: Send | None = None,
    reject: Reject | None = None,
    batch: int = 10_000,
    batch_wait: float = 0.5,
    ack_timeout: float = 60.0,
    session_timeout: float = 60.0,
    case_events_topic: str = CASE_EVENTS.name,
    totals_topic: str = TOTALS.name,
    metrics: CollectorRegistry | None = None,
    web_port: int = 0,
    web_bind: str = "127.0.0.1",
) -> Streams:
    """A Faust app for the streamed totals. ``store="memory://"`` and ``durable=False`` for tests (no
    producer runs there, so no changelog write is ever acknowledged); ``send`` replaces the rows' producer and
    ``reject`` the dead-letter publisher. A batch is applied at ``batch`` events, or once its first event
    has waited ``batch_wait`` seconds. Other topic names than the contract's are for tests and the bench.
    ``metrics``: the registry Faust's sensors go to, served at ``/metrics`` on ``web_bind:web_port`` (a
    port of 0: no web server and no Faust sensors for Prometheus)."""
    settings: dict[str, Any] = {}
    if datadir is not None:
        settings["datadir"] = str(datadir)
    if session_timeout < 60.0:  # tests: a killed worker's partitions move to the others within seconds
        settings.update(broker_session_timeout=session_timeout, broker_heartbeat_interval=session_timeout / 10,
                        broker_rebalance_timeout=session_timeout * 2)
    web = bool(web_port) and metrics is not None
    if web:
        settings.update(web_port=web_port, web_bind=web_bind, web_host=web_bind,
                        # /metrics only: Faust's pages would list table keys and values and the routing
                        web_router_enabled=False, web_tables_enabled=False, web_graph_enabled=False,
                        web_stats_enabled=False)
    app = faust.App(
        app_id,
        broker=broker_urls(broker),
        store=store,
        autodiscover=False,
        processing_guarantee="at_least_once",  # see the module docstring
        # Do not wait for unacked events on a stop or rebalance: a batch may hold some, and an event not
        # acked is read again by the next owner, which changes nothing.
        stream_wait_empty=False,
        stream_publish_on_commit=False,  # records go out at once; a batch waits for them, not for a commit
        consumer_auto_offset_reset="earliest",
        topic_replication_factor=replicas,
        topic_partitions=CASE_EVENTS.partitions,
        web_enabled=web,  # only the metrics page; the dashboards are the FastAPI app's
        # Bigger fetches and buffer: the agent only collects, and a batch is applied while it keeps collecting.
        stream_buffer_maxsize=max(4096, 2 * batch),
        consumer_max_fetch_size=4 * 1024 * 1024,
        **settings,
    )
    if web:
        from faust.sensors.prometheus import setup_prometheus_sensors

        setup_prometheus_sensors(app, registry=metrics or REGISTRY, name_prefix="reporting_worker")
    case_events = app.topic(case_events_topic, value_type=bytes, value_serializer="raw")
    totals = app.topic(totals_topic, internal=True, partitions=TOTALS.partitions, replicas=replicas,
                       compacting=True, key_type=str, value_serializer="json", config=TOTALS_CONFIG)
    cases = TrackedTable(app, name="cases", default=None, key_type=str, partitions=CASE_EVENTS.partitions,
                         track=durable)
    app.tables.add(cases)

    writer = None
    if send is None and durable:
        writer = BatchProducer(",".join(url.split("://")[-1] for url in broker_urls(broker)), timeout=ack_timeout)
        send = writer.send
    streams = Streams(app=app, case_events=case_events, totals=totals, cases=cases, send=send or send_now,
                      writer=writer, max_wait=batch_wait,
                      reject=reject or dead_letters(broker, app_id), ack_timeout=ack_timeout,
                      owned=app.assignor.assigned_actives if durable else None)

    async def totals_agent(stream: Any) -> None:
        manual = stream.noack()  # acked by Streams.settle only (module docstring)
        streams.ack = manual.ack
        async for event in manual.events():
            if not streams.pending:
                streams.oldest = time.monotonic()
            streams.pending.append(event)
            if len(streams.pending) >= batch:
                await streams.settle()

    streams.agent = app.agent(case_events, name="totals", supervisor_strategy=CrashingSupervisor)(totals_agent)
    async def settle_late_events() -> None:  # a loop, not app.timer: a long settle is no overlap to warn of
        while True:
            await asyncio.sleep(batch_wait / 5)
            await streams.settle_late()

    app.task(settle_late_events)
    app.on_partitions_revoked.connect(streams.forget_sums)
    app.on_partitions_assigned.connect(streams.forget_sums)
    return streams


class WorkerSettings(Settings):
    """The worker's own settings, besides the service's."""

    # Faust's web server, for /metrics only: bound to localhost unless told (never public); 0 turns it off.
    metrics_port: int = Field(6066, ge=0, le=65535, validation_alias=AliasChoices(
        "REPORTING_WORKER_METRICS_PORT", "metrics_port"))
    metrics_bind: str = Field("127.0.0.1", validation_alias=AliasChoices(
        "REPORTING_WORKER_METRICS_BIND", "metrics_bind"))
    batch: int = Field(10_000, ge=1, validation_alias=AliasChoices("REPORTING_STREAMS_BATCH", "streams_batch"))


def from_settings(settings: WorkerSettings) -> Streams:
    """The worker's app as the environment configures it (data under ``settings.worker_data_dir``)."""
    return create_app(broker=settings.kafka_bootstrap_servers, app_id=settings.streams_app_id,
                      store=settings.streams_store,
                      # per app id: Faust names a table's RocksDB files by the table alone, and a new app id's
                      # empty changelogs would meet the old id's persisted offsets (ConsistencyError at start)
                      datadir=settings.worker_data_dir / settings.streams_app_id,
                      replicas=settings.streams_replicas, batch=settings.batch,
                      session_timeout=settings.streams_session_timeout,
                      case_events_topic=settings.case_events_topic, totals_topic=settings.totals_topic,
                      metrics=REGISTRY, web_port=settings.metrics_port, web_bind=settings.metrics_bind)


def main() -> None:
    """The worker: ``python -m reporting.streams worker -l info``, configured from the environment."""
    configure_logging("reporting-worker")
    settings = WorkerSettings()
    settings.worker_data_dir.mkdir(parents=True, exist_ok=True)
    if sys.argv[1:2] == ["worker"] and not {"--with-web", "--without-web"} & set(sys.argv):
        # the CLI turns Faust's web server on unless told; it serves /metrics only, where configured
        sys.argv.append("--with-web" if settings.metrics_port else "--without-web")
    streams = from_settings(settings)

    async def json_logs() -> None:  # again once Faust's worker has set up its own (plain-text) logging
        # to the real stderr: Faust's worker has put a logging proxy in sys.stderr's place
        configure_logging("reporting-worker", stream=sys.__stderr__)

    streams.app.task(json_logs)
    ensure_internal_topics(streams, settings.kafka_bootstrap_servers)
    streams.app.main()


if __name__ == "__main__":
    main()
