"""Topics from contracts/ on the real broker: created with the YAML's partitions, cleanup policy and
retention, and any drift of the broker from them named (``infra/kafka/create_topics.py``)."""

from __future__ import annotations

import uuid

from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewPartitions

from contracts import registry
from infra.dev.testing import KafkaUnderTest
from infra.kafka.create_topics import TopicConfig, create, drift, topic_configs


def test_the_session_broker_holds_every_contract_topic_as_its_yaml_says(kafka: KafkaUnderTest) -> None:
    assert drift(kafka.bootstrap, topic_configs(registry.topics().values(), max_replication=1)) == []


def test_drift_in_partitions_retention_or_policy_is_named(kafka: KafkaUnderTest) -> None:
    name = f"drift-{uuid.uuid4().hex[:8]}"
    wanted = TopicConfig(name, 2, 1, {"cleanup.policy": "delete", "retention.ms": "2592000000"})
    assert create(kafka.bootstrap, [wanted], quiet=True) == 0
    assert drift(kafka.bootstrap, [wanted]) == []
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap})
    topic = ConfigResource(ConfigResource.Type.TOPIC, name, incremental_configs=[
        ConfigEntry("retention.ms", "1000", incremental_operation=AlterConfigOpType.SET)])
    for future in admin.incremental_alter_configs([topic]).values():
        future.result(30)
    for future in admin.create_partitions([NewPartitions(name, 3)]).values():
        future.result(30)
    problems = drift(kafka.bootstrap, [wanted, TopicConfig(f"{name}-absent", 1, 1, {})])
    assert sorted(problems) == sorted([
        f"{name}: 3 partitions on the broker, 2 in contracts",
        f"{name}: retention.ms=1000 on the broker, 2592000000 in contracts",
        f"{name}-absent: missing on the broker",
    ])
    admin.delete_topics([name])
