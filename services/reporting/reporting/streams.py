"""Streamed totals with Faust: the app factory, its topics (named explicitly), tables and agents.

Nothing is built at import time: :func:`create_app` builds an app for a broker it is given, and
``python -m reporting.streams worker -l info`` runs one configured from the environment.

Topology (the logic is ``reporting.totals.apply``; its docstring gives the idempotency argument)::

    case-events ──[agent cases: table case-records, key case_id]──> reporting-unit-changes (key district)
        ──[agent units: tables unit-buckets, unit-days, keys "<district>/..."]──> totals (compacted)

The repartitioning is an explicit topic rather than ``group_by``: one case event fans out to every
district the case has been in (a transfer tells the old district to drop the case), which ``group_by``'s
one-key re-keying cannot say. Every table is keyed so that all its keys for one district (or one case)
live in the partition of the topic that feeds it, so each is co-partitioned with its agent's input, and
changelog-backed under Faust's own changelog names (user-named changelogs fail to restore, robinhood #523).

Faust and delivery. ``processing_guarantee`` stays at-least-once: exactly_once has open bugs (faust-streaming
#177, #323, #517) and correctness does not need it. Two Faust behaviours matter here, and both are closed:

- Faust acks an event when the agent moves on, even if the agent raised, and its commit flush gives up on
  its changelog buffer after 0.1 s without progress, so a commit can precede a changelog write. Agents here
  read a ``noack()`` stream and :class:`AckWhenDurable` acks an event only after the broker has acknowledged
  every changelog write (:class:`TrackedTable`) and every record its processing sent; a failure crashes the
  worker (``CrashingSupervisor``) with the event unacked, so it is processed again after the restart.
- After a rebalance a table may hold other values than this worker last wrote: the in-memory district sums
  (:class:`reporting.totals.apply.UnitTotals`) are forgotten on every assignment change and rebuilt from the
  stored buckets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import faust
from faust.tables.table import Table
from mode import CrashingSupervisor
from prometheus_client import Counter

from contracts import codec, registry
from contracts.registry import TopicSpec
from reporting.settings import Settings
from reporting.totals.apply import Districts, TotalsRow, apply_case_event, change_from_json
from reporting.totals.figures import DAILY, FIGURES, ImpossibleFigures, checked

log = logging.getLogger(__name__)

CASE_EVENTS = registry.topic("case-events")
UNIT_CHANGES = "reporting-unit-changes"  # internal: what cases tell districts (apply.Statement, apply.Happening)
# Where dashboards read totals: one row per district and per (district, day), the latest kept by compaction.
# Not in contracts/ yet; this is the spec to add there (contracts/contracts/topics/totals.yaml).
TOTALS = TopicSpec(
    name="totals",
    key="unit",  # "district:4701" or "district:4701:2026-12-03" (apply.TotalsRow.key)
    partitions=6,
    replication_factor=3,
    cleanup_policy="compact",
    retention_ms=None,
    producers=("reporting",),
    consumers=("reporting",),
    events={},  # rows, not events: apply.TotalsRow.as_json; a schema comes with the contracts entry
)
TOTALS_CONFIG = {
    "cleanup.policy": "compact",
    "segment.ms": str(6 * 3600 * 1000),  # roll segments often enough that a small topic gets compacted
    "min.cleanable.dirty.ratio": "0.1",
}

INPUTS = Counter("streamed_totals_inputs_total", "Records read by the streamed totals, by agent and outcome "
                 "(applied, unchanged: redelivered or older; ignored: not about figures; refused: impossible "
                 "or breaking its contract, alerted on)", ["agent", "outcome"])
IMPOSSIBLE_TOTALS = Counter("streamed_totals_impossible_total", "District rows not published because a sum "
                            "passed int64 (alerted on)")

Send = Callable[[Any, str, dict[str, Any]], Awaitable[Awaitable[Any]]]


async def send_now(topic: Any, key: str, value: dict[str, Any]) -> Awaitable[Any]:
    """Hands a record to the producer; returns the future of the broker's acknowledgement."""
    future: Awaitable[Any] = await topic.send(key=key, value=value)
    return future


class TrackedTable(Table[str, Any]):
    """A table that keeps the futures of its changelog writes until :meth:`drain`, so that an input is acked
    only once the changelog holds what it wrote (``track=False`` in tests, where no producer runs)."""

    def __init__(self, *args: Any, track: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.track = track
        self.unsettled: list[Awaitable[Any]] = []

    def send_changelog(self, *args: Any, **kwargs: Any) -> Any:
        future = super().send_changelog(*args, **kwargs)
        if self.track:
            self.unsettled.append(future)
        return future

    def drain(self) -> list[Awaitable[Any]]:
        drained, self.unsettled = self.unsettled, []
        return drained


class AckWhenDurable:
    """Acks a stream's events in batches, each only after the broker acknowledged every record its processing
    produced. An event whose records fail or time out is never acked: the error propagates, the worker
    crashes, and the event is read again after the restart (applying it twice changes nothing)."""

    def __init__(self, ack: Callable[[Any], Awaitable[Any]], *, batch: int, timeout: float) -> None:
        self.ack = ack
        self.batch = batch
        self.timeout = timeout
        self.events: list[Any] = []
        self.sent: list[Awaitable[Any]] = []

    def track(self, event: Any, sent: Iterable[Awaitable[Any]]) -> None:
        self.events.append(event)
        self.sent.extend(sent)

    @property
    def due(self) -> bool:
        return len(self.events) >= self.batch

    async def settle(self) -> int:
        """Waits for the tracked records, then acks their events; the number acked."""
        events, sent = self.events, self.sent
        self.events, self.sent = [], []  # taken before awaiting: a concurrent settle gets the next batch
        if sent:
            # asyncio.wait, not wait_for(gather): a timeout must not cancel the producer's own futures.
            done, pending = await asyncio.wait([asyncio.ensure_future(f) for f in sent], timeout=self.timeout)
            if pending:
                raise TimeoutError(f"{len(pending)} records not acknowledged by the broker in {self.timeout} s")
            for future in done:
                future.result()  # the broker's error, if any
        for event in events:
            await self.ack(event)
        return len(events)


def broker_urls(bootstrap: str | Sequence[str]) -> list[str]:
    """Faust's broker URLs from KAFKA_BOOTSTRAP_SERVERS ("host:9092,host2:9092") or URLs already."""
    hosts = bootstrap.split(",") if isinstance(bootstrap, str) else list(bootstrap)
    return [h.strip() if "://" in h else f"kafka://{h.strip()}" for h in hosts if h.strip()]


@dataclass
class Streams:
    """One Faust app and what it is made of, for the worker, the tests and (later) the dashboards."""

    app: Any
    case_events: Any
    unit_changes: Any
    totals: Any
    case_records: TrackedTable
    unit_buckets: TrackedTable
    unit_days: TrackedTable
    send: Send
    cases: Any = None
    units: Any = None
    acks: list[AckWhenDurable] = field(default_factory=list)
    districts: Districts = field(init=False)

    def __post_init__(self) -> None:
        self.districts = Districts(self.unit_buckets, self.unit_days)

    # --- agent cases: case-events -> case-records -> reporting-unit-changes -----------------------------

    async def on_case_event(self, event: Any) -> tuple[str, list[Awaitable[Any]]]:
        """Applies one case event; its outcome and the futures of what it sent."""
        try:
            data = codec.decode(event.value)
            if not CASE_EVENTS.carries(data["event_type"], data["schema_version"]):
                raise codec.ContractError(f"{data['event_type']} v{data['schema_version']} not on {CASE_EVENTS.name}")
            result = apply_case_event(self.case_records, data)
        except (codec.ContractError, ImpossibleFigures) as refused:
            log.error("refused %s: %s", _where(event), refused)
            return "refused", []
        if result is None:
            return "ignored", []
        changed, changes = result
        # Sent even when nothing changed: an earlier attempt's records may not have reached the broker.
        sent = [await self.send(self.unit_changes, change.district, change.as_json()) for change in changes]
        return "applied" if changed else "unchanged", sent

    # --- agent units: reporting-unit-changes -> unit-buckets, unit-days -> totals -----------------------

    async def on_unit_change(self, event: Any) -> tuple[str, list[Awaitable[Any]]]:
        try:
            changed, row = self.districts.apply(change_from_json(event.value))
        except ImpossibleFigures as refused:
            log.error("refused %s: %s", _where(event), refused)
            return "refused", []
        return "applied" if changed else "unchanged", await self._publish(row)

    async def _publish(self, row: TotalsRow) -> list[Awaitable[Any]]:
        try:
            checked(row.figures, DAILY if row.day else FIGURES)
        except ImpossibleFigures as impossible:
            IMPOSSIBLE_TOTALS.inc()
            log.error("not publishing %s: %s", row.key, impossible)
            return []
        return [await self.send(self.totals, row.key, row.as_json())]

    async def forget_district_sums(self, *args: Any, **kwargs: Any) -> None:
        """On every assignment change: another worker may have written these districts' buckets since."""
        self.districts.forget()

    async def settle(self) -> None:
        for acks in list(self.acks):
            await acks.settle()


def _where(event: Any) -> str:
    message = getattr(event, "message", None)
    return f"{message.topic}[{message.partition}]@{message.offset}" if message is not None else "a record"


def create_app(
    *,
    broker: str | Sequence[str],
    app_id: str = "reporting",
    store: str = "rocksdb://",
    datadir: str | Path | None = None,
    unit_partitions: int = 6,
    replicas: int = 1,
    durable: bool = True,
    send: Send | None = None,
    ack_batch: int = 500,
    ack_interval: float = 0.2,
    ack_timeout: float = 60.0,
) -> Streams:
    """A Faust app for the streamed totals. ``store="memory://"`` and ``durable=False`` for tests (no
    producer runs there, so no changelog write is ever acknowledged); ``send`` replaces the producer."""
    settings: dict[str, Any] = {}
    if datadir is not None:
        settings["datadir"] = str(datadir)
    app = faust.App(
        app_id,
        broker=broker_urls(broker),
        store=store,
        autodiscover=False,
        processing_guarantee="at_least_once",  # see the module docstring
        stream_publish_on_commit=False,  # records go out at once; AckWhenDurable waits for them, not commit
        consumer_auto_offset_reset="earliest",
        topic_replication_factor=replicas,
        topic_partitions=unit_partitions,
        web_enabled=False,  # the dashboards are the FastAPI app's; Faust's own pages are not served
        **settings,
    )
    case_events = app.topic(CASE_EVENTS.name, value_type=bytes, value_serializer="raw")
    unit_changes = app.topic(UNIT_CHANGES, internal=True, partitions=unit_partitions, replicas=replicas,
                             key_type=str, value_serializer="json", retention=timedelta(days=7))
    totals = app.topic(TOTALS.name, internal=True, partitions=TOTALS.partitions, replicas=replicas,
                       compacting=True, key_type=str, value_serializer="json", config=TOTALS_CONFIG)

    def table(name: str, partitions: int) -> TrackedTable:
        made = TrackedTable(app, name=name, default=None, key_type=str, partitions=partitions, track=durable)
        app.tables.add(made)
        return made

    streams = Streams(
        app=app, case_events=case_events, unit_changes=unit_changes, totals=totals,
        case_records=table("case-records", CASE_EVENTS.partitions),
        unit_buckets=table("unit-buckets", unit_partitions),
        unit_days=table("unit-days", unit_partitions),
        send=send or send_now,
    )

    def agent_body(name: str, handle: Callable[[Any], Awaitable[tuple[str, list[Awaitable[Any]]]]],
                   tables: Sequence[TrackedTable]) -> Callable[[Any], Any]:
        async def body(stream: Any) -> Any:
            manual = stream.noack()  # acked by AckWhenDurable only (module docstring)
            acks = AckWhenDurable(manual.ack, batch=ack_batch, timeout=ack_timeout)
            streams.acks.append(acks)
            async for event in manual.events():
                outcome, sent = await handle(event)
                INPUTS.labels(name, outcome).inc()
                acks.track(event, [*sent, *(future for t in tables for future in t.drain())])
                if acks.due:
                    await acks.settle()
                yield outcome  # seen by tests (agent.test_context().results); no sink in production

        body.__name__ = name
        return body

    streams.cases = app.agent(case_events, name="cases", supervisor_strategy=CrashingSupervisor)(
        agent_body("cases", streams.on_case_event, [streams.case_records]))
    streams.units = app.agent(unit_changes, name="units", supervisor_strategy=CrashingSupervisor)(
        agent_body("units", streams.on_unit_change, [streams.unit_buckets, streams.unit_days]))
    app.timer(ack_interval, name="settle-acks")(streams.settle)  # acks the tail of a stream that went quiet
    app.on_partitions_revoked.connect(streams.forget_district_sums)
    app.on_partitions_assigned.connect(streams.forget_district_sums)
    return streams


def main() -> None:
    """The worker: ``python -m reporting.streams worker -l info``, configured from the environment."""
    settings = Settings()
    create_app(broker=settings.kafka_bootstrap_servers).app.main()


if __name__ == "__main__":
    main()
