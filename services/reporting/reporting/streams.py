"""Streamed totals with Faust: the app factory, its topics (named explicitly), tables and agents.

Nothing is built at import time: :func:`create_app` builds an app for a broker it is given, and
``python -m reporting.streams worker -l info`` runs one configured from the environment.

Topology (the logic is ``reporting.totals.cases`` and ``.districts``; ``cases`` gives the idempotency argument)::

    case-events ──[agent cases: table case-records, key case_id]──> reporting-unit-changes (key district)
        ──[agent units: tables unit-buckets, unit-days, keys "<district>/..."]──> totals (compacted)

Batching (measured by ``bench/reporting``): the cases agent sends what a batch of events tells each district
as one record (``{"kind": "changes", ...}``), and the units agent publishes one row per district (and day)
per batch, the latest: rows are absolute, so the rows in between say nothing more. Both are sent when the
batch is settled (``reporting.totals.durable.AckWhenDurable``: every ``ack_batch`` events or ``ack_interval``
seconds), before its events are acked.

The worker runs as its own process (``python -m reporting.streams worker``; ``make run`` and the compose
stack start it); the web process only reads the ``totals`` topic (``reporting.totals.view``).

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
  every changelog write (:class:`TrackedTable`; both in ``reporting.totals.durable``) and every record its
  processing sent; a failure crashes the worker (``CrashingSupervisor``) with the event unacked, so it is
  processed again after the restart.
- After a rebalance a table may hold other values than this worker last wrote: the in-memory district sums
  (:class:`reporting.totals.districts.UnitTotals`) are forgotten on every assignment change and rebuilt from the
  stored buckets.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import faust
from mode import CrashingSupervisor
from prometheus_client import Counter

from contracts import codec
from contracts.logs import bound_correlation, configure_logging, correlation_from_headers, correlation_header
from reporting.settings import Settings
from reporting.totals.cases import UnitChange, apply_case_event, change_from_json
from reporting.totals.districts import Districts, TotalsRow
from reporting.totals.durable import AckWhenDurable, Send, TrackedTable, send_now
from reporting.totals.figures import DAILY, FIGURES, ImpossibleFigures, checked
from reporting.totals.stall_guard import StallGuard, unstick
from reporting.totals.topics import (
    CASE_EVENTS,
    TOTALS,
    TOTALS_CONFIG,
    broker_urls,
    ensure_internal_topics,
    unit_changes_topic,
)
from reporting.worker_process import JsonLogWorker, dead_letters, expose_metrics

log = logging.getLogger(__name__)
Reject = Callable[[Any, str], Awaitable[None]]

INPUTS = Counter("streamed_totals_inputs_total", "Records read by the streamed totals, by agent and outcome "
                 "(applied, unchanged: redelivered or older; ignored: not about figures; refused: impossible "
                 "or breaking its contract, alerted on)", ["agent", "outcome"])
IMPOSSIBLE_TOTALS = Counter("streamed_totals_impossible_total", "District rows not published because a sum "
                            "passed int64 (alerted on)")

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
    reject: Reject | None = None  # contract-breaking events to the dead-letter topic (None: only counted)
    acks: list[AckWhenDurable] = field(default_factory=list)
    pending_rows: dict[str, TotalsRow] = field(default_factory=dict)
    pending_changes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The correlation id of the latest event behind each pending record (by district; by row key), sent as its
    # header, so one request's id can be followed from case-events through reporting-unit-changes onto the
    # totals row it moved. Taken in the same swap as the records they go with.
    changes_correlation: dict[str, str] = field(default_factory=dict)
    rows_correlation: dict[str, str] = field(default_factory=dict)
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
            with bound_correlation(correlation_from_headers(getattr(event, "headers", None))):
                log.error("refused %s", _where(event))  # the reason may quote the value: on the dead letter only
                if isinstance(refused, codec.ContractError) and self.reject is not None:
                    await self.reject(event, str(refused))  # before the event is acked
            return "refused", []
        if result is None:
            return "ignored", []
        changed, changes = result
        correlation_id = correlation_from_headers(getattr(event, "headers", None))
        # Sent even when nothing changed: an earlier attempt's records may not have reached the broker.
        for change in changes:
            self.pending_changes.setdefault(change.district, []).append(change.as_json())
            if correlation_id:
                self.changes_correlation[change.district] = correlation_id
        return "applied" if changed else "unchanged", []

    async def publish_changes(self) -> list[Awaitable[Any]]:
        """Sends what the events since the last call tell each district, one record per district (batched:
        one Faust event downstream instead of one per change), before those events are acked."""
        pending, self.pending_changes = self.pending_changes, {}
        ids, self.changes_correlation = self.changes_correlation, {}
        return [await self.send(self.unit_changes, district, {"kind": "changes", "changes": changes},
                                correlation_header(ids.get(district)))
                for district, changes in pending.items()]

    # --- agent units: reporting-unit-changes -> unit-buckets, unit-days -> totals -----------------------

    async def on_unit_change(self, event: Any) -> tuple[str, list[Awaitable[Any]]]:
        try:
            changes = changes_from_json(event.value)  # all checked before any is applied
        except ImpossibleFigures as refused:
            log.error("refused %s: %s", _where(event), refused)
            return "refused", []
        changed = False
        correlation_id = correlation_from_headers(getattr(event, "headers", None))
        for change in changes:
            one_changed, row = self.districts.apply(change)
            changed = changed or one_changed
            self.pending_rows[row.key] = row  # published by publish_rows before the change is acked
            if correlation_id:
                self.rows_correlation[row.key] = correlation_id
        return "applied" if changed else "unchanged", []

    async def publish_rows(self) -> list[Awaitable[Any]]:
        """Sends the latest row of every district (and day) changed since the last call: rows are absolute, so
        one per key and batch says all that the rows in between would have said."""
        rows, self.pending_rows = self.pending_rows, {}
        ids, self.rows_correlation = self.rows_correlation, {}
        return [future for row in rows.values() for future in await self._publish(row, ids.get(row.key))]

    async def _publish(self, row: TotalsRow, correlation_id: str | None) -> list[Awaitable[Any]]:
        try:
            checked(row.figures, DAILY if row.day else FIGURES)
        except ImpossibleFigures as impossible:
            IMPOSSIBLE_TOTALS.inc()
            log.error("not publishing %s: %s", row.key, impossible)
            return []
        return [await self.send(self.totals, row.key, row.as_json(), correlation_header(correlation_id))]

    async def forget_district_sums(self, *args: Any, **kwargs: Any) -> None:
        """On every assignment change: another worker may have written these districts' buckets since."""
        self.districts.forget()

    async def settle(self) -> None:
        for acks in list(self.acks):
            await acks.settle()


def changes_from_json(raw: Any) -> list[UnitChange]:
    """A record of the internal topic: one change, or (as the cases agent sends them) a batch of them."""
    if isinstance(raw, dict) and raw.get("kind") == "changes":
        changes = raw.get("changes")
        if not isinstance(changes, list):
            raise ImpossibleFigures("unit changes without a list of changes")
        return [change_from_json(change) for change in changes]
    if not isinstance(raw, dict):
        raise ImpossibleFigures(f"unit change of type {type(raw).__name__}")
    return [change_from_json(raw)]


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
    reject: Reject | None = None,
    session_timeout: float = 60.0,
    stall_after: float = 30.0,
    case_events_topic: str = CASE_EVENTS.name,
    totals_topic: str = TOTALS.name,
) -> Streams:
    """A Faust app for the streamed totals. ``store="memory://"`` and ``durable=False`` for tests (no
    producer runs there, so no changelog write is ever acknowledged); ``send`` replaces the producer. Other
    topic names than the contract's are for tests and the bench, which keep their events apart. ``stall_after``:
    seconds an input partition may hold unread records without progress (0: no stall guard)."""
    settings: dict[str, Any] = {}
    if datadir is not None:
        settings["datadir"] = str(datadir)
    if session_timeout < 60.0:  # tests: a killed worker's partitions move to the others within seconds
        settings.update(broker_session_timeout=session_timeout, broker_heartbeat_interval=session_timeout / 10,
                        broker_rebalance_timeout=session_timeout * 2)
    app = faust.App(
        app_id,
        broker=broker_urls(broker),
        store=store,
        autodiscover=False,
        processing_guarantee="at_least_once",  # see the module docstring
        # Do not wait for unacked events on a stop or rebalance: AckWhenDurable may hold some, and an event
        # not acked is read again by the next owner, which changes nothing (totals.cases, 1.).
        stream_wait_empty=False,
        stream_publish_on_commit=False,  # records go out at once; AckWhenDurable waits for them, not commit
        consumer_auto_offset_reset="earliest",
        topic_replication_factor=replicas,
        topic_partitions=unit_partitions,
        web_enabled=False,  # the dashboards are the FastAPI app's; Faust's own pages are not served
        Worker=JsonLogWorker,
        **settings,
    )
    case_events = app.topic(case_events_topic, value_type=bytes, value_serializer="raw")
    unit_changes = app.topic(unit_changes_topic(app_id), internal=True, partitions=unit_partitions, replicas=replicas,
                             key_type=str, value_serializer="json", retention=timedelta(days=7))
    totals = app.topic(totals_topic, internal=True, partitions=TOTALS.partitions, replicas=replicas,
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
        reject=reject,
    )

    def agent_body(name: str, handle: Callable[[Any], Awaitable[tuple[str, list[Awaitable[Any]]]]],
                   tables: Sequence[TrackedTable],
                   flush: Callable[[], Awaitable[list[Awaitable[Any]]]] | None = None) -> Callable[[Any], Any]:
        async def body(stream: Any) -> Any:
            manual = stream.noack()  # acked by AckWhenDurable only (module docstring)
            acks = AckWhenDurable(manual.ack, batch=ack_batch, timeout=ack_timeout, flush=flush)
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
        agent_body("cases", streams.on_case_event, [streams.case_records], streams.publish_changes))
    streams.units = app.agent(unit_changes, name="units", supervisor_strategy=CrashingSupervisor)(
        agent_body("units", streams.on_unit_change, [streams.unit_buckets, streams.unit_days], streams.publish_rows))
    app.timer(ack_interval, name="settle-acks")(streams.settle)  # acks the tail of a stream that went quiet
    if stall_after > 0:
        inputs = {case_events_topic, unit_changes.get_topic_name()}
        app.timer(min(10.0, stall_after / 3), name="stall-guard")(unstick(
            app, StallGuard(stall_after), inputs, lambda: any(acks.settling.locked() for acks in streams.acks)))
    app.on_partitions_revoked.connect(streams.forget_district_sums)
    app.on_partitions_assigned.connect(streams.forget_district_sums)
    return streams


def from_settings(settings: Settings) -> Streams:
    """The worker's app as the environment configures it (data under ``settings.worker_data_dir``)."""
    return create_app(broker=settings.kafka_bootstrap_servers, app_id=settings.streams_app_id,
                      store=settings.streams_store,
                      # per app id: Faust names a table's RocksDB files by the table alone, and a new app id's
                      # empty changelogs would meet the old id's persisted offsets (ConsistencyError at start)
                      datadir=settings.worker_data_dir / settings.streams_app_id,
                      unit_partitions=settings.streams_partitions, replicas=settings.streams_replicas,
                      session_timeout=settings.streams_session_timeout, stall_after=settings.streams_stall_after,
                      case_events_topic=settings.case_events_topic, totals_topic=settings.totals_topic,
                      reject=dead_letters(settings.kafka_bootstrap_servers, settings.streams_app_id))


def main() -> None:
    """The worker: ``python -m reporting.streams worker -l info``, configured from the environment."""
    configure_logging("reporting-worker", "INFO", stream=sys.__stderr__)  # until Faust's worker sets up its own
    settings = Settings()
    settings.worker_data_dir.mkdir(parents=True, exist_ok=True)
    if sys.argv[1:2] == ["worker"] and not {"--with-web", "--without-web"} & set(sys.argv):
        sys.argv.append("--without-web")  # the CLI would turn Faust's web server back on (one port per host)
    if not {"-q", "--quiet", "--no-quiet"} & set(sys.argv):
        sys.argv.insert(1, "--quiet")  # no text banner on stdout: every line is JSON, and Faust logs its start
    streams = from_settings(settings)
    if settings.worker_metrics_port:
        expose_metrics(streams, settings.worker_metrics_port, settings.worker_metrics_bind)
    ensure_internal_topics(streams, settings.kafka_bootstrap_servers)
    streams.app.main()


if __name__ == "__main__":
    main()
