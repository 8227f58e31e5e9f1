"""Consumer lag measured at scrape time on the real broker: committed offsets against high watermarks."""

from __future__ import annotations

import uuid

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from prometheus_client import CollectorRegistry, generate_latest

from contracts.lag import ConsumerLagCollector, measure
from infra.dev.testing import KafkaUnderTest, free_port, wait_until


def lag_of(bootstrap: str, groups: dict[str, frozenset[str]]) -> dict[tuple[str, str, int], int]:
    """``measure``, asked again while a fresh broker is still creating its offsets topic (NOT_COORDINATOR)."""
    found: list[dict[tuple[str, str, int], int]] = []

    def answered() -> bool:
        try:
            found.append(measure(bootstrap, groups))
        except KafkaException:
            return False
        return True

    assert wait_until(answered, timeout=30, interval=0.5)
    return found[-1]


def test_lag_is_the_distance_from_the_committed_offset_per_partition(kafka: KafkaUnderTest) -> None:
    topic, group = f"lag-{uuid.uuid4().hex[:8]}", f"lag-group-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap})  # kept: a dropped client fails its futures
    admin.create_topics([NewTopic(topic, 2, 1)])[topic].result(15)
    producer = Producer({"bootstrap.servers": kafka.bootstrap})
    for i in range(5):
        producer.produce(topic, value=b"x", partition=0, key=str(i))
    for i in range(3):
        producer.produce(topic, value=b"y", partition=1, key=str(i))
    assert producer.flush(15) == 0

    # Nothing committed yet: every event of both partitions is behind.
    assert lag_of(kafka.bootstrap, {group: frozenset({topic})}) == {(group, topic, 0): 5, (group, topic, 1): 3}

    consumer = Consumer({"bootstrap.servers": kafka.bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        consumer.commit(offsets=[TopicPartition(topic, 0, 2)], asynchronous=False)
    finally:
        consumer.close()
    assert lag_of(kafka.bootstrap, {group: frozenset({topic})}) == {(group, topic, 0): 3, (group, topic, 1): 3}
    # A fresh group on a topic not yet created (a broker without it): nothing to measure, no error.
    assert lag_of(kafka.bootstrap, {f"{group}-new": frozenset({f"{topic}-absent"})}) == {}

    collector = ConsumerLagCollector()
    registry = CollectorRegistry()
    registry.register(collector)
    forget = collector.watch("notify", kafka.bootstrap, group, [topic])
    scraped = generate_latest(registry).decode()
    assert f'consumer_lag_messages{{group="{group}",partition="0",service="notify",topic="{topic}"}} 3.0' in scraped
    assert f'consumer_lag_messages{{group="{group}",partition="1",service="notify",topic="{topic}"}} 3.0' in scraped
    forget()
    assert group not in generate_latest(registry).decode()


def test_a_broker_that_does_not_answer_leaves_the_series_out_without_failing_the_scrape() -> None:
    collector = ConsumerLagCollector(timeout=0.5)
    registry = CollectorRegistry()
    registry.register(collector)
    collector.watch("notify", f"127.0.0.1:{free_port()}", "nobody", ["case-events"])
    scraped = generate_latest(registry).decode()
    assert "# TYPE consumer_lag_messages gauge" in scraped
    assert 'group="nobody"' not in scraped
