"""The shared consumer: a poisoned message is skipped, a failing apply is retried, nothing is lost."""

from __future__ import annotations

import uuid

from confluent_kafka import Producer

from contracts import codec, registry
from contracts.consumer import EventConsumer
from infra.dev.testing import KafkaUnderTest, wait_until


def test_bad_messages_are_skipped_and_failed_applies_retried(kafka: KafkaUnderTest) -> None:
    example = dict(registry.examples("AuditRecorded", 1)[0][1])
    good = [{**example, "event_id": str(uuid.uuid4()), "actor_sub": f"probe-{uuid.uuid4()}"} for _ in range(3)]
    wanted = {e["event_id"] for e in good}
    producer = Producer({"bootstrap.servers": kafka.bootstrap})
    producer.produce("audit-events", key=good[0]["actor_sub"], value=b"{not json")
    case_event = dict(registry.examples("CaseRegistered", 1)[0][1])  # valid, but not an audit-events event
    producer.produce("audit-events", key=good[0]["actor_sub"], value=codec.encode("case-events", case_event)[1])
    for event in good:
        _key, value, headers = codec.encode("audit-events", event)  # one key: one partition, in order
        producer.produce("audit-events", key=good[0]["actor_sub"], value=value, headers=headers)
    producer.flush(10)

    applied: list[str] = []
    failures = {"left": 2}

    def apply(event: codec.Event) -> bool:
        if event["event_id"] not in wanted:
            return False  # other tests' audit events on the shared topic
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("database briefly unavailable")
        applied.append(event["event_id"])
        return True

    consumer = EventConsumer("audit-events", apply, bootstrap=kafka.bootstrap, group_id=f"t-{uuid.uuid4()}")
    consumer.start()
    try:
        assert wait_until(lambda: len(applied) == 3, timeout=30), applied
    finally:
        consumer.stop()
    assert applied == [e["event_id"] for e in good]  # in order, each once, none lost to the failures
