"""The topics of the streamed totals: their names, the ``totals`` topic's configuration, and creating the
internal ones before the worker joins its group."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic  # re-exported by .admin, but not declared there for mypy

from contracts import registry

if TYPE_CHECKING:
    from reporting.totals.handlers import Streams

log = logging.getLogger(__name__)

CASE_EVENTS = registry.topic("case-events")
UNIT_CHANGES = "reporting-unit-changes"  # internal: what cases tell districts (cases.Statement, cases.Happening)


def unit_changes_topic(app_id: str) -> str:
    """Named by the app id like Faust's changelogs, so a rebuild under a new id shares nothing."""
    return f"{app_id}-unit-changes"


# Where dashboards read totals: one row per district and per (district, day), the latest kept by compaction
# (contracts/contracts/topics/totals.yaml; the rows are districts.TotalsRow.as_json).
TOTALS = registry.topic("totals")
TOTALS_CONFIG = {
    "cleanup.policy": "compact",
    "segment.ms": str(6 * 3600 * 1000),  # roll segments often enough that a small topic gets compacted
    "min.cleanable.dirty.ratio": "0.1",
}


def broker_urls(bootstrap: str | Sequence[str]) -> list[str]:
    """Faust's broker URLs from KAFKA_BOOTSTRAP_SERVERS ("host:9092,host2:9092") or URLs already."""
    hosts = bootstrap.split(",") if isinstance(bootstrap, str) else list(bootstrap)
    return [h.strip() if "://" in h else f"kafka://{h.strip()}" for h in hosts if h.strip()]


def internal_topics(streams: Streams) -> list[NewTopic]:
    """The topics the worker writes besides ``totals``: created before it joins its group, because a topic
    Faust creates while the group forms is missing from the first assignment (and stays unassigned until
    the metadata is refreshed, minutes later)."""
    app = streams.app
    replicas = app.conf.topic_replication_factor
    topics = [NewTopic(streams.unit_changes.get_topic_name(), num_partitions=streams.unit_changes.partitions,
                       replication_factor=replicas, config={"retention.ms": str(7 * 24 * 3600 * 1000)}),
              NewTopic(streams.totals.get_topic_name(), num_partitions=TOTALS.partitions, replication_factor=replicas,
                       config={"cleanup.policy": "compact", **TOTALS_CONFIG})]
    for table in (streams.case_records.table, streams.unit_buckets.table, streams.unit_days.table):
        assert table.partitions is not None  # every table here is made with its partitions (create_app)
        topics.append(NewTopic(table.changelog_topic.get_topic_name(), num_partitions=table.partitions,
                               replication_factor=replicas, config={"cleanup.policy": "compact"}))
    return topics


def ensure_internal_topics(streams: Streams, bootstrap: str, timeout: float = 30.0) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    wanted = internal_topics(streams)
    for name, future in admin.create_topics(wanted, operation_timeout=timeout, request_timeout=timeout).items():
        try:
            future.result()
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
            log.debug("topic %s exists", name)
