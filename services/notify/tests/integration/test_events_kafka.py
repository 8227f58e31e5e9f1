"""Notify on a real Kafka broker: events consumed from case-events become messages once each, even when an
event is redelivered or the consumer dies mid-batch after storing but before committing; messages given up
on reach the dead-letter topic with their reason."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from confluent_kafka import Consumer, Producer
from pymongo import MongoClient

from contracts import codec, registry
from infra.dev.testing import KafkaUnderTest, wait_until
from notify.channels.port import Provider
from notify.channels.sms_http import HttpSmsProvider
from notify.channels.smtp import SmtpProvider
from notify.consumer import BatchConsumer
from notify.deadletter import TOPIC as DEAD_LETTERS
from notify.deadletter import KafkaDeadLetters
from notify.devsinks.sinks import Sinks
from notify.intake import Intake
from notify.messages.model import Channel, Message
from notify.messages.store import MessageStore
from notify.messages.templates import Templates
from notify.planning import plan
from notify.sending.ports import DevDirectory
from notify.sending.worker import Worker


@pytest.fixture
def store(mongodb_uri: str, db_name: str) -> Iterator[MessageStore]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    messages = MessageStore(client[db_name])
    messages.ensure_indexes()
    yield messages
    client.close()


def registrations(count: int) -> list[dict[str, Any]]:
    base = dict(registry.examples("CaseRegistered", 1))["online.json"]
    return [base | {"event_id": str(uuid.uuid4()), "case_id": f"c-{uuid.uuid4().hex[:24].upper()}"}
            for _ in range(count)]


def produce(bootstrap: str, events: list[dict[str, Any]]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all"})
    for event in events:
        key, value, headers = codec.encode("case-events", event)
        producer.produce("case-events", key=key, value=value, headers=headers)
    assert producer.flush(20) == 0


class DiesAt:
    """The batch ``apply`` of a notify process that dies mid-batch, right after storing the messages of its
    ``n``-th event: the batch's offsets are never committed."""

    def __init__(self, intake: Intake, n: int) -> None:
        self.intake, self.n, self.seen = intake, n, 0
        self.applied: set[str] = set()

    def __call__(self, events: list[dict[str, Any]], correlations: object = None) -> int:
        for event in events:
            if self.seen >= self.n:
                raise RuntimeError("process killed")
            self.seen += 1
            self.intake.apply(event)
            self.applied.add(event["event_id"])
        return 0


def test_a_consumer_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
        kafka: KafkaUnderTest, store: MessageStore, db_name: str) -> None:
    events = registrations(10)
    ours = {e["case_id"] for e in events}
    produce(kafka.bootstrap, events)
    produce(kafka.bootstrap, events[2:4])  # the relay redelivered two events
    intake = Intake(store)
    mine = {"case_id": {"$in": sorted(ours)}}

    dying = DiesAt(intake, 6)
    first = BatchConsumer(["case-events"], dying, bootstrap=kafka.bootstrap, group_id=db_name)
    first.start()
    assert wait_until(lambda: dying.seen >= 6, timeout=60)
    first.stop()  # killed: the 6th event's messages are stored, its offset is not committed
    # Events are spread over partitions, so the six read may include a redelivered one: two messages each.
    assert store.count(**mine) == 2 * len(dying.applied) < 20
    assert len(dying.applied) >= 4, "the first batch was stored up to the kill"

    second = BatchConsumer(["case-events"], intake.apply_batch, bootstrap=kafka.bootstrap, group_id=db_name)
    second.start()
    try:
        assert wait_until(lambda: store.count(**mine) == 20, timeout=60)
    finally:
        second.stop()
    assert store.count(**mine) == 20  # 10 receipts by SMS, 10 notices to the district by e-mail

    sinks = Sinks().start()
    try:
        now = datetime.now(UTC)
        providers: list[Provider] = [SmtpProvider("127.0.0.1", sinks.smtp_port, "no-reply@dopa.example"),
                     HttpSmsProvider(f"{sinks.http_url}/sms/send", "notify", "dev-sms-password", "DOPA")]
        for provider in providers:
            worker = Worker(store, provider, Templates(), DevDirectory(), KafkaDeadLetters(kafka.bootstrap),
                            clock=lambda: now)
            while worker.run_once():
                pass
        sms, mails = sinks.outbox.of("sms"), sinks.outbox.of("email")
        assert len(sms) == len({s.ref for s in sms}) == 10
        assert len(mails) == len({m.ref for m in mails}) == 10
        assert {c for c in ours if any(c in s.text for s in sms)} == ours
    finally:
        sinks.stop()


def test_a_dead_letter_reaches_its_topic_with_the_reason(kafka: KafkaUnderTest, db_name: str) -> None:
    [event] = registrations(1)
    message = Message.from_plan(event, plan(event)[0], datetime.now(UTC))
    assert message.channel is Channel.SMS
    KafkaDeadLetters(kafka.bootstrap).publish(message, "retries exhausted after 9 attempts: sms gateway answered 503")
    reader = Consumer({"bootstrap.servers": kafka.bootstrap, "group.id": db_name, "auto.offset.reset": "earliest"})
    reader.subscribe([DEAD_LETTERS])
    found: list[dict[str, Any]] = []

    def read() -> bool:
        msg = reader.poll(0.5)
        if msg is not None and not msg.error():
            decoded = codec.decode(msg.value())
            if decoded["message_id"] == message.id:
                found.append(decoded)
                assert msg.key() == message.id.encode()
        return bool(found)

    try:
        assert wait_until(read, timeout=60)
    finally:
        reader.close()
    [dead] = found
    assert dead["reason"].endswith("sms gateway answered 503") and dead["recipient_ref"] == f"debtor:{event['case_id']}"
    assert dead["case_id"] == event["case_id"] and dead["template"] == "registration_receipt"
