"""Dead letters: an event that breaks its contract becomes an ``EventRejected`` on ``event-dead-letters``, and the
consumer moves past it only once the broker acknowledged that. Unit tests with a fake producer; one test on the
real broker (a malformed message on audit-events → EventRejected, and the consumer goes on)."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest
from confluent_kafka import Consumer, Producer

from contracts import codec, registry
from contracts.consumer import EventConsumer
from contracts.dead_letters import RAW_LIMIT, TOPIC, DeadLetterNotAcknowledged, DeadLetterPublisher
from contracts.logs import CORRELATION_HEADER, current_correlation_id
from infra.dev.testing import KafkaUnderTest, wait_until


class FakeProducer:
    """Acknowledges on flush, or fails every delivery / times out when told to."""

    def __init__(self, *, error: object = None, unflushed: int = 0) -> None:
        self.error, self.unflushed = error, unflushed
        self.sent: list[dict[str, Any]] = []
        self._callbacks: list[Any] = []

    def produce(self, topic: str, value: bytes, key: bytes, headers: Any, on_delivery: Any) -> None:
        self.sent.append({"topic": topic, "value": value, "key": key, "headers": dict(headers)})
        self._callbacks.append(on_delivery)

    def flush(self, timeout: float) -> int:
        if not self.unflushed:
            for callback in self._callbacks:
                callback(self.error, None)
        self._callbacks.clear()
        return self.unflushed

    def close(self) -> None:
        pass


class FakeMessage:
    def __init__(self, value: bytes | None, headers: list[tuple[str, bytes]] | None = None,
                 topic: str = "audit-events") -> None:
        self._value, self._headers, self._topic = value, headers, topic

    def value(self) -> bytes | None:
        return self._value

    def headers(self) -> list[tuple[str, bytes]] | None:
        return self._headers

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return 1

    def offset(self) -> int:
        return 42

    def error(self) -> None:
        return None


def test_a_dead_letter_is_a_valid_event_rejected_keyed_by_source_topic_with_the_correlation_header() -> None:
    producer = FakeProducer()
    DeadLetterPublisher("unused", "identity", producer=producer).publish(
        "audit-events", 2, 17, b"{not json", "not JSON: Expecting property name", "req-7")
    [sent] = producer.sent
    event = codec.decode(sent["value"])
    assert sent["topic"] == TOPIC and registry.topic(TOPIC).carries(event["event_type"], event["schema_version"])
    assert sent["key"] == b"audit-events"
    assert sent["headers"][CORRELATION_HEADER] == b"req-7" and sent["headers"]["event_type"] == b"EventRejected"
    assert {k: event[k] for k in ("consumer_group", "source_topic", "source_partition", "source_offset", "reason",
                                  "raw_value", "raw_truncated", "correlation_id")} == {
        "consumer_group": "identity", "source_topic": "audit-events", "source_partition": 2, "source_offset": 17,
        "reason": "not JSON: Expecting property name", "raw_value": "{not json", "raw_truncated": False,
        "correlation_id": "req-7"}


def test_raw_values_are_cut_undecodable_bytes_replaced_and_empty_ones_kept_as_null() -> None:
    producer = FakeProducer()
    publisher = DeadLetterPublisher("unused", "notify", producer=producer)
    publisher.publish("case-events", 0, 1, "ก".encode() * (RAW_LIMIT + 10), "x" * 900, None)
    publisher.publish("case-events", 0, 2, b"\xff\xfe{", "not JSON", None)
    publisher.publish("case-events", 0, 3, None, "empty message", None)
    long, undecodable, empty = (codec.decode(s["value"]) for s in producer.sent)
    assert len(long["raw_value"]) == RAW_LIMIT and long["raw_truncated"] is True and len(long["reason"]) == 500
    assert undecodable["raw_value"] == "\ufffd\ufffd{" and undecodable["correlation_id"] is None
    assert empty["raw_value"] is None and empty["raw_truncated"] is False
    assert CORRELATION_HEADER not in producer.sent[0]["headers"]


@pytest.mark.parametrize("producer", [FakeProducer(error="broker down"), FakeProducer(unflushed=1)],
                         ids=["delivery-failed", "timeout"])
def test_publish_raises_unless_the_broker_acknowledged(producer: FakeProducer) -> None:
    with pytest.raises(DeadLetterNotAcknowledged):
        DeadLetterPublisher("unused", "identity", producer=producer).publish("audit-events", 0, 1, b"x", "r", None)


def consumer_with(publisher: DeadLetterPublisher, applied: list[codec.Event]) -> EventConsumer:
    def apply(event: codec.Event) -> bool:
        applied.append({**event, "_bound": current_correlation_id()})
        return True

    # Never subscribed nor polled here: _handle is driven directly with fake messages.
    return EventConsumer("audit-events", apply, bootstrap="127.0.0.1:1", group_id="unit", dead_letters=publisher)


def test_the_consumer_dead_letters_what_breaks_the_contract_and_applies_the_rest_with_its_id_bound() -> None:
    producer, applied = FakeProducer(), []
    consumer = consumer_with(DeadLetterPublisher("unused", "unit", producer=producer), applied)
    try:
        good = dict(registry.examples("AuditRecorded", 1)[0][1])
        case_event = codec.encode("case-events", dict(registry.examples("CaseRegistered", 1)[0][1]))[1]
        assert consumer._handle(FakeMessage(b"{not json", [(CORRELATION_HEADER, b"r-1")])) is True
        assert consumer._handle(FakeMessage(case_event)) is True  # valid, but not carried by audit-events
        assert consumer._handle(FakeMessage(json.dumps(good).encode(), [(CORRELATION_HEADER, b"r-2")])) is True
    finally:
        consumer.consumer.close()
    reasons = [codec.decode(s["value"])["reason"] for s in producer.sent]
    assert reasons[0].startswith("not JSON") and reasons[1] == "CaseRegistered v1 not on audit-events"
    assert [a["event_id"] for a in applied] == [good["event_id"]] and applied[0]["_bound"] == "r-2"
    assert [codec.decode(s["value"])["correlation_id"] for s in producer.sent] == ["r-1", None]
    assert current_correlation_id() is None  # unbound again after each event


def test_the_consumer_does_not_move_past_a_rejected_event_until_its_dead_letter_is_acknowledged() -> None:
    failing = FakeProducer(error="broker down")
    consumer = consumer_with(DeadLetterPublisher("unused", "unit", producer=failing), [])
    outcome: list[bool] = []
    worker = threading.Thread(target=lambda: outcome.append(consumer._handle(FakeMessage(b"garbage"))))
    try:
        worker.start()
        assert wait_until(lambda: len(failing.sent) >= 1, timeout=5)
        consumer._stop.set()  # stopping while the broker still refuses: the offset must stay uncommitted
        worker.join(5)
    finally:
        consumer.consumer.close()
    assert outcome == [False]


def read_dead_letters(bootstrap: str, correlation_id: str, group: str, timeout: float = 30.0) -> list[dict[str, Any]]:
    """The dead letters ``group`` wrote for ``correlation_id`` (other groups on the topic may reject it too)."""
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": f"probe-{uuid.uuid4()}",
                       "auto.offset.reset": "earliest"})
    reader.subscribe([TOPIC])
    found: list[dict[str, Any]] = []

    def poll() -> bool:
        msg = reader.poll(0.5)
        if msg is not None and not msg.error() and dict(msg.headers() or []).get(CORRELATION_HEADER) == \
                correlation_id.encode():
            event = codec.decode(msg.value())
            if event["consumer_group"] == group:
                found.append(event)
        return bool(found)

    try:
        wait_until(poll, timeout=timeout, interval=0)
    finally:
        reader.close()
    return found


def test_on_the_broker_a_malformed_audit_event_is_dead_lettered_and_the_consumer_goes_on(
        kafka: KafkaUnderTest) -> None:
    correlation_id, group = f"dl-{uuid.uuid4().hex}", f"t-{uuid.uuid4()}"
    actor = f"probe-{uuid.uuid4()}"
    good = {**dict(registry.examples("AuditRecorded", 1)[0][1]), "event_id": str(uuid.uuid4()), "actor_sub": actor}
    producer = Producer({"bootstrap.servers": kafka.bootstrap})
    offsets: list[int] = []
    producer.produce("audit-events", key=actor, value=b'{"event_type": "AuditRecorded"',
                     headers=[(CORRELATION_HEADER, correlation_id.encode())],
                     on_delivery=lambda _err, msg: offsets.append(msg.offset()))
    _key, value, headers = codec.encode("audit-events", good)
    producer.produce("audit-events", key=actor, value=value, headers=headers)  # same key: same partition, after
    producer.flush(10)

    applied: list[str] = []
    consumer = EventConsumer("audit-events", lambda e: e["event_id"] == good["event_id"] and not applied.append(
        e["event_id"]), bootstrap=kafka.bootstrap, group_id=group)
    consumer.start()
    try:
        assert wait_until(lambda: applied == [good["event_id"]], timeout=60), "the consumer went on"
    finally:
        consumer.stop()
    dead = read_dead_letters(kafka.bootstrap, correlation_id, group)
    assert len(dead) == 1
    assert dead[0]["source_topic"] == "audit-events" and dead[0]["source_offset"] == offsets[0]
    assert dead[0]["reason"].startswith("not JSON") and dead[0]["raw_value"] == '{"event_type": "AuditRecorded"'
    assert dead[0]["correlation_id"] == correlation_id
