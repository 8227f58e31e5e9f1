"""Streamed totals with Faust: the app factory, its topics (named explicitly), tables and batch handlers.

Nothing is built at import time: :func:`create_app` builds an app for a broker it is given, and
``python -m reporting.streams worker -l info`` runs one configured from the environment.

Topology (the logic is ``reporting.totals.cases`` and ``.districts``; ``cases`` gives the idempotency argument)::

    case-events ──[cases: table case-records, key case_id]──> reporting-unit-changes (key district)
        ──[units: tables unit-buckets, unit-days, keys "<district>/..."]──> totals (compacted)

Batches, not agents (measured by ``bench/faust_ceiling.py`` and ``bench/reporting``): Faust's per-record path to
an agent caps a worker near 8,500 events/s before any work, and its per-key table writes near 100 µs each. So
the consumer hands every fetched batch of an input topic to one handler (``reporting.totals.batch_consumer``;
the handlers: ``reporting.totals.handlers``), and each table partition's values of a batch are stored and sent
to its changelog together, as are the records to other topics (``reporting.totals.batch_io``). The cases handler
sends what the events since the last settle tell each district as one record (``{"kind": "changes", ...}``), and
the units handler publishes one row per district (and day) per settle, the latest: rows are absolute, so the rows
in between say nothing more. Both are sent when the batch is settled (``reporting.totals.durable.AckWhenDurable``:
every ``ack_batch`` events or ``ack_interval`` seconds), before its events are acked.

The worker runs as its own process (``python -m reporting.streams worker``; ``make run`` and the compose
stack start it); the web process only reads the ``totals`` topic (``reporting.totals.view``).

The repartitioning is an explicit topic rather than ``group_by``: one case event fans out to every
district the case has been in (a transfer tells the old district to drop the case), which ``group_by``'s
one-key re-keying cannot say. Every table is keyed so that all its keys for one district (or one case)
live in the partition of the topic that feeds it, so each is co-partitioned with its handler's input, and
changelog-backed under Faust's own changelog names (user-named changelogs fail to restore, robinhood #523).

Faust and delivery. ``processing_guarantee`` stays at-least-once: exactly_once has open bugs (faust-streaming
#177, #323, #517) and correctness does not need it. Two Faust behaviours matter here, and both are closed:

- Faust's own loop acks a record when the agent moves on, even if it raised, and its commit flush can precede
  a changelog write. Here :class:`AckWhenDurable` acks a record only after the broker has acknowledged every
  changelog record and every record its processing sent; a failure crashes the worker with the record unacked,
  so it is processed again after the restart.
- After a rebalance a table may hold other values than this worker last wrote: the in-memory district sums
  (:class:`reporting.totals.districts.UnitTotals`) are forgotten on every assignment change and rebuilt from the
  stored buckets.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from contracts.logs import configure_logging
from reporting.settings import Settings
from reporting.totals.batch_consumer import BatchApp
from reporting.totals.batch_io import BatchTable, KafkaBatches, RecordSink
from reporting.totals.durable import AckWhenDurable
from reporting.totals.handlers import Reject, Streams, crashing
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


def create_app(
    *,
    broker: str | Sequence[str],
    app_id: str = "reporting",
    store: str = "rocksdb://",
    datadir: str | Path | None = None,
    unit_partitions: int = 6,
    replicas: int = 1,
    sink: RecordSink | None = None,
    ack: Callable[[Any], Any] | None = None,
    ack_batch: int = 5000,
    ack_interval: float = 0.2,
    ack_timeout: float = 60.0,
    reject: Reject | None = None,
    session_timeout: float = 60.0,
    stall_after: float = 30.0,
    case_events_topic: str = CASE_EVENTS.name,
    totals_topic: str = TOTALS.name,
) -> Streams:
    """A Faust app for the streamed totals. ``store="memory://"`` for tests; ``sink`` replaces the producer and
    ``ack`` the consumer's ack (unit tests run no broker). Other topic names than the contract's are for tests
    and the bench, which keep their events apart. ``stall_after``: seconds an input partition may hold unread
    records without progress (0: no stall guard)."""
    settings: dict[str, Any] = {}
    if datadir is not None:
        settings["datadir"] = str(datadir)
    if session_timeout < 60.0:  # tests: a killed worker's partitions move to the others within seconds
        settings.update(broker_session_timeout=session_timeout, broker_heartbeat_interval=session_timeout / 10,
                        broker_rebalance_timeout=session_timeout * 2)
    app = BatchApp(
        app_id,
        broker=broker_urls(broker),
        store=store,
        autodiscover=False,
        processing_guarantee="at_least_once",  # see the module docstring
        # Do not wait for unacked records on a stop or rebalance: AckWhenDurable may hold some, and a record
        # not acked is read again by the next owner, which changes nothing (totals.cases, 1.).
        stream_wait_empty=False,
        consumer_auto_offset_reset="earliest",
        topic_replication_factor=replicas,
        topic_partitions=unit_partitions,
        broker_max_poll_records=2000,  # a handler's batch: ~0.1 s of work, so settles and timers keep their pace
        # aiokafka fetches again from a broker only once every partition's records from it are handed out, so
        # each fetch is a pause; Faust's 1 MB a partition (~700 events) made catching up wait on fetches a third
        # of the time. A response stays capped by aiokafka's fetch_max_bytes (50 MB). docs/benchmarks.md.
        consumer_max_fetch_size=32 * 1024**2,
        producer_max_batch_size=256 * 1024,  # batch_io fills whole BatchBuilders; a case record is ~0.5 kB
        web_enabled=False,  # the dashboards are the FastAPI app's; Faust's own pages are not served
        Worker=JsonLogWorker,
        **settings,
    )
    case_events = app.topic(case_events_topic, value_type=bytes, value_serializer="raw")
    unit_changes = app.topic(unit_changes_topic(app_id), internal=True, partitions=unit_partitions, replicas=replicas,
                             key_type=str, value_serializer="json", retention=timedelta(days=7))
    totals = app.topic(totals_topic, internal=True, partitions=TOTALS.partitions, replicas=replicas,
                       compacting=True, key_type=str, value_serializer="json", config=TOTALS_CONFIG)
    out = sink or KafkaBatches(app)

    def table(name: str, partitions: int) -> BatchTable:
        made = app.Table(name, default=None, key_type=str, partitions=partitions)  # json keys and values
        return BatchTable(made, out)

    streams = Streams(
        app=app, case_events=case_events, unit_changes=unit_changes, totals=totals,
        case_records=table("case-records", CASE_EVENTS.partitions),
        unit_buckets=table("unit-buckets", unit_partitions),
        unit_days=table("unit-days", unit_partitions),
        sink=out,
        reject=reject,
    )
    acked = ack or (lambda message: app.consumer.ack(message))
    streams.acks = {
        "cases": AckWhenDurable(acked, batch=ack_batch, timeout=ack_timeout, flush=streams.publish_changes),
        "units": AckWhenDurable(acked, batch=ack_batch, timeout=ack_timeout, flush=streams.publish_rows),
    }
    app.handle_batches(case_events, crashing(app, streams.on_case_events))
    app.handle_batches(unit_changes, crashing(app, streams.on_unit_changes))
    app.timer(ack_interval, name="settle-acks")(streams.settle)  # acks the tail of a stream that went quiet
    if stall_after > 0:
        inputs = {case_events_topic, unit_changes.get_topic_name()}
        app.timer(min(10.0, stall_after / 3), name="stall-guard")(unstick(
            app, StallGuard(stall_after), inputs, lambda: any(a.settling.locked() for a in streams.acks.values())))
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
