"""Consumer lag per group, topic and partition, measured when Prometheus scrapes.

Each service that runs a consumer group asks for it to be measured (``watch_consumer_group`` in its lifespan);
at scrape time one short-lived admin client per broker list compares each group's committed offsets with the
partitions' high watermarks. Lag is therefore true at the moment of the scrape, whether or not the consumer is
alive to report it: a stuck or crashed consumer's lag keeps growing here, which is what an operator needs.

A partition the group has never committed on counts from its earliest offset (the services' consumers start
at ``earliest``). Only the topics the service names are measured (Faust's worker names its internal topics
too). When the brokers do not answer within the timeout the series are left out of that scrape and a
warning is logged once; ``/readyz`` names Kafka as down meanwhile.

Not a long-lived admin client: it would keep reconnecting (and logging) after the service stopped it, and a
scrape every 15 s does not need one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping

from confluent_kafka import Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec  # type: ignore[attr-defined]  # exported, undeclared
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

LAG = "consumer_lag_messages"
LAG_HELP = ("Events in a partition after the committed offset of a consumer group, by the service that runs the "
            "group (measured at scrape time)")
LABELS = ["service", "group", "topic", "partition"]
TIMEOUT_S = 2.0

Partition = tuple[str, int]  # topic, partition


def _remaining(deadline: float) -> float:
    return max(0.05, deadline - time.monotonic())


def measure(bootstrap: str, groups: Mapping[str, frozenset[str]], timeout: float = TIMEOUT_S
            ) -> dict[tuple[str, str, int], int]:
    """``{(group, topic, partition): lag}`` for every partition of each group's topics. Raises when the brokers
    do not answer within ``timeout`` seconds in all."""
    deadline = time.monotonic() + timeout
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 2,
                         "socket.timeout.ms": max(1000, int(timeout * 1000))})
    metadata = admin.list_topics(timeout=_remaining(deadline))
    wanted = {group: [(topic, p) for topic in sorted(topics) if topic in metadata.topics
                      for p in sorted(metadata.topics[topic].partitions)] for group, topics in groups.items()}
    committed = {group: _committed(bootstrap, group, tps, deadline) for group, tps in wanted.items() if tps}
    every = {tp for tps in wanted.values() for tp in tps}
    uncommitted = {tp for group, tps in committed.items() for tp in tps if tps[tp] < 0}
    latest = _offsets(admin, every, OffsetSpec.latest(), deadline)  # type: ignore[no-untyped-call]
    earliest = _offsets(admin, uncommitted, OffsetSpec.earliest(), deadline)  # type: ignore[no-untyped-call]
    lag: dict[tuple[str, str, int], int] = {}
    for group, offsets in committed.items():
        for tp, offset in offsets.items():
            position = offset if offset >= 0 else earliest.get(tp, 0)
            lag[(group, *tp)] = max(0, latest.get(tp, position) - position)
    return lag


def _committed(bootstrap: str, group: str, partitions: list[Partition], deadline: float) -> dict[Partition, int]:
    """The group's committed offsets (negative: none yet), asked through a consumer that never subscribes, so it
    does not join the group. Not the admin API's list_consumer_group_offsets: librdkafka crashes the process
    when the group coordinator answers NOT_COORDINATOR to it (confluent-kafka-python #1982, seen here on a
    fresh broker), which a broker restart can cause in production."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                         "log_level": 2})
    try:
        while True:
            try:
                found = consumer.committed([TopicPartition(t, p) for t, p in partitions],
                                           timeout=_remaining(deadline))
                break
            except KafkaException as exc:  # NOT_COORDINATOR while the coordinator moves or starts: ask again
                if not exc.args[0].retriable() or time.monotonic() + 0.1 >= deadline:
                    raise
                time.sleep(0.1)
    finally:
        consumer.close()
    return {(tp.topic, tp.partition): tp.offset if tp.error is None else -1 for tp in found}


def _offsets(admin: AdminClient, partitions: Iterable[Partition], spec: OffsetSpec, deadline: float
             ) -> dict[Partition, int]:
    request = {TopicPartition(topic, partition): spec for topic, partition in partitions}
    if not request:
        return {}
    futures = admin.list_offsets(request, request_timeout=_remaining(deadline))
    return {(tp.topic, tp.partition): future.result(timeout=_remaining(deadline)).offset
            for tp, future in futures.items()}


class ConsumerLagCollector(Collector):
    """The process's watched groups, measured on each scrape (one collector per process: several services run
    in one test process, and a registry refuses two collectors of the same metric)."""

    def __init__(self, timeout: float = TIMEOUT_S) -> None:
        self.timeout = timeout
        self._watched: dict[tuple[str, str], tuple[str, frozenset[str]]] = {}  # (bootstrap, group): (service, topics)
        self._lock = threading.Lock()
        self._failing: set[str] = set()

    def watch(self, service: str, bootstrap: str, group: str, topics: Iterable[str]) -> Callable[[], None]:
        """Measures ``group`` (run by ``service``) on its ``topics`` at ``bootstrap``; returns the call that stops
        measuring it (for the service's shutdown)."""
        key, named = (bootstrap, group), (service, frozenset(topics))
        with self._lock:
            self._watched[key] = named

        def forget() -> None:
            with self._lock:
                if self._watched.get(key) is named:
                    del self._watched[key]

        return forget

    def describe(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(LAG, LAG_HELP, labels=LABELS)

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(LAG, LAG_HELP, labels=LABELS)
        with self._lock:
            by_bootstrap: dict[str, dict[str, frozenset[str]]] = {}
            services: dict[str, str] = {}
            for (bootstrap, group), (service, topics) in self._watched.items():
                by_bootstrap.setdefault(bootstrap, {})[group] = topics
                services[group] = service
        for bootstrap, groups in by_bootstrap.items():
            try:
                measured = measure(bootstrap, groups, self.timeout)
            except Exception as exc:  # noqa: BLE001 - a scrape must not fail because Kafka is down
                if bootstrap not in self._failing:
                    log.warning("consumer lag not measured: Kafka did not answer (%s)", exc)
                self._failing.add(bootstrap)
                continue
            self._failing.discard(bootstrap)
            for (group, topic, partition), lag in sorted(measured.items()):
                family.add_metric([services[group], group, topic, str(partition)], lag)
        yield family


CONSUMER_LAG = ConsumerLagCollector()
REGISTRY.register(CONSUMER_LAG)


def watch_consumer_group(service: str, bootstrap: str, group: str, topics: Iterable[str]) -> Callable[[], None]:
    """Call in the lifespan of ``service``, which runs ``group``; call the result when it stops."""
    return CONSUMER_LAG.watch(service, bootstrap, group, topics)
