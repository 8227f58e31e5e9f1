"""Several replicas, one publishing relay: the lease, its expiry and a takeover."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka import Consumer
from pymongo import MongoClient
from pymongo.database import Database

from contracts import codec, registry
from contracts.lease import Lease
from infra.dev.testing import KafkaUnderTest, wait_until
from registration.outbox.relay import OutboxRelay


@pytest.fixture
def db(mongodb_uri: str, db_name: str) -> Iterator[Database[dict[str, Any]]]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    yield client[db_name]
    client.close()


def test_one_holder_at_a_time_and_takeover_after_expiry(db: Database[dict[str, Any]]) -> None:
    now = [1000.0]
    first, second = (Lease(db["leases"], ttl=10, clock=lambda: now[0]) for _ in range(2))
    assert first.held() and not second.held()
    now[0] += 8
    assert first.held() and not second.held()  # renewed before expiry
    now[0] += 11
    assert second.held()  # the first stopped renewing (as if it died): taken over
    assert not first.held()
    second.release()
    assert first.held()  # a clean shutdown hands over at once


def audit_events(n: int, actor: str) -> list[dict[str, Any]]:
    example = dict(registry.examples("AuditRecorded", 1)[0][1])
    return [{**example, "event_id": str(uuid.uuid4()), "actor_sub": actor} for _ in range(n)]


def enqueue(db: Database[dict[str, Any]], events: list[dict[str, Any]]) -> None:
    for event in events:
        codec.validate_for_produce(event)
    db["outbox"].insert_many([{"_id": e["event_id"], "topic": "audit-events", "event": e, "seq": time.time_ns(),
                               "sent": False, "sent_at": None} for e in events])


def published_ids(bootstrap: str, actor: str, expected: int) -> list[str]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"t-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest"})
    consumer.subscribe(["audit-events"])
    found: list[str] = []
    deadline = time.monotonic() + 30
    settle_until = None  # after the expected count, keep reading briefly so duplicates would show
    try:
        while time.monotonic() < (settle_until or deadline):
            msg = consumer.poll(0.5)
            if msg is not None and not msg.error() and msg.key() == actor.encode():
                found.append(json.loads(msg.value())["event_id"])
            if settle_until is None and len(found) >= expected:
                settle_until = time.monotonic() + 2
    finally:
        consumer.close()
    return found


def test_two_replicas_publish_each_event_once_and_the_standby_takes_over(
    db: Database[dict[str, Any]], kafka: KafkaUnderTest
) -> None:
    actor = f"lease-{uuid.uuid4().hex[:8]}"
    relays = [OutboxRelay(db["outbox"], kafka.bootstrap, lease=Lease(db["leases"], ttl=2)) for _ in range(2)]
    for relay in relays:
        relay.start()
    running = list(relays)
    try:
        first_batch = audit_events(40, actor)
        enqueue(db, first_batch)
        assert wait_until(lambda: db["outbox"].count_documents({"sent": False}) == 0, timeout=30)
        leader = next(r for r in relays if r.peak_in_flight > 0)
        standby = next(r for r in relays if r is not leader)
        assert standby.peak_in_flight == 0  # it stood by
        leader.stop()
        running.remove(leader)
        second_batch = audit_events(10, actor)
        enqueue(db, second_batch)
        assert wait_until(lambda: db["outbox"].count_documents({"sent": False}) == 0, timeout=30)
        assert standby.peak_in_flight > 0
    finally:
        for relay in running:
            relay.stop()
    ids = published_ids(kafka.bootstrap, actor, 50)
    assert sorted(ids) == sorted(e["event_id"] for e in first_batch + second_batch)  # each once
