"""The outbox relay: nothing accepted is lost while Kafka is down, nothing is published twice."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka import Consumer
from pymongo import MongoClient

from infra.dev.testing import KafkaUnderTest, wait_until
from registration.cases.events import Actor, AuditAction, audit_recorded
from registration.cases.model import Address, Channel, Creditor, Debt, Debtor, NewCase
from registration.cases.store import AlreadyRegistered, CaseRepository, IdempotencyClaim, IdempotencyKeyReused
from registration.outbox.relay import OutboxRelay

DESK = Actor.of("officer-1", ["registrar"], "4701")


@pytest.fixture
def repo(mongodb_uri: str, db_name: str) -> Iterator[CaseRepository]:
    client: MongoClient[dict[str, object]] = MongoClient(mongodb_uri, tz_aware=True)
    repository = CaseRepository(client[db_name])  # type: ignore[arg-type]
    repository.ensure_indexes()
    yield repository
    client.close()


def a_case(n: int) -> NewCase:
    debtor = Debtor(f"{n:013d}", "สมชาย", "ทดสอบ", Address("1 หมู่ 1", "470101", "4701", "47"))
    return NewCase(debtor=debtor, channel=Channel.DESK, unit_code="4701",
                   creditors=(Creditor((Debt(100_00, 150_00),)),))


def register(repo: CaseRepository, case: NewCase) -> str:
    return repo.register(case, audit=lambda case_id: audit_recorded(DESK, AuditAction.CREATE, True, case_id)).case_id


def consume_keys(bootstrap: str, wanted: set[str], timeout: float = 60) -> list[str]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"t-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest"})
    consumer.subscribe(["case-events"])
    event_ids: list[str] = []

    def done() -> bool:
        msg = consumer.poll(0.5)
        if msg is not None and not msg.error() and msg.key().decode() in wanted:
            event_ids.append(json.loads(msg.value())["event_id"])
        return len(set(event_ids)) >= len(wanted)

    try:
        wait_until(done, timeout=timeout, interval=0)
    finally:
        consumer.close()
    return event_ids


def test_case_and_event_commit_together(repo: CaseRepository) -> None:
    case_id = register(repo, a_case(1))
    outbox = {o["topic"]: o["event"] for o in repo.outbox.find()}
    assert outbox["case-events"]["case_id"] == outbox["audit-events"]["case_id"] == case_id
    with pytest.raises(AlreadyRegistered):
        register(repo, a_case(1))
    assert repo.cases.count_documents({}) == 1 and repo.outbox.count_documents({}) == 2


def test_broker_outage_loses_nothing_and_sends_each_once(repo: CaseRepository, kafka: KafkaUnderTest) -> None:
    if kafka.broker is None:
        pytest.fail("the outage test stops and restarts the dev broker (unset KAFKA_BOOTSTRAP_SERVERS)")
    relay = OutboxRelay(repo.outbox, kafka.bootstrap)
    relay.start()
    try:
        kafka.broker.stop()
        case_ids = [register(repo, a_case(1000 + n)) for n in range(100)]
        relay.wake()
        assert repo.outbox.count_documents({"sent": False}) == 200  # accepted while the broker is down
        kafka.broker.start()
        assert wait_until(lambda: repo.outbox.count_documents({"sent": False}) == 0, timeout=60)
    finally:
        relay.stop()
    event_ids = consume_keys(kafka.bootstrap, set(case_ids))
    assert len(set(event_ids)) == 100
    assert len(event_ids) == 100, "the idempotent producer must not duplicate on retry"


def test_in_flight_events_stay_under_the_cap_during_an_outage(repo: CaseRepository, kafka: KafkaUnderTest) -> None:
    """A long outage must not pile every unsent event into the producer: at the cap the relay stops handing
    over, and carries on as deliveries drain the set once the broker is back."""
    if kafka.broker is None:
        pytest.fail("the outage test stops and restarts the dev broker (unset KAFKA_BOOTSTRAP_SERVERS)")
    relay = OutboxRelay(repo.outbox, kafka.bootstrap, batch_size=4, max_in_flight=10)
    relay.start()
    try:
        kafka.broker.stop()
        case_ids = [register(repo, a_case(2000 + n)) for n in range(20)]  # 40 events: 20 case, 20 audit
        relay.wake()
        assert wait_until(lambda: relay.in_flight == 10, timeout=20)
        time.sleep(1.0)  # several relay cycles at the cap
        assert relay.in_flight == 10 and relay.peak_in_flight == 10
        assert repo.outbox.count_documents({"sent": False}) == 40  # the rest wait, safely, in MongoDB
        kafka.broker.start()
        assert wait_until(lambda: repo.outbox.count_documents({"sent": False}) == 0, timeout=60)
        assert relay.peak_in_flight == 10 and relay.in_flight == 0
    finally:
        relay.stop()
    event_ids = consume_keys(kafka.bootstrap, set(case_ids))
    assert len(event_ids) == len(set(event_ids)) == 20


def test_a_reused_key_racing_past_the_pre_check_is_refused_not_crashed(repo: CaseRepository) -> None:
    """Two requests with one Idempotency-Key and different bodies can both pass the API's replay check;
    the writer then meets the key's unique index (a BulkWriteError from insert_many) and must answer
    'key reused', never a server error."""
    first = IdempotencyClaim("officer-1:k", "hash-of-first-body")
    repo.register(a_case(7001), audit=lambda cid: audit_recorded(DESK, AuditAction.CREATE, True, cid), claim=first)
    with pytest.raises(IdempotencyKeyReused):
        repo.register(a_case(7002), audit=lambda cid: audit_recorded(DESK, AuditAction.CREATE, True, cid),
                      claim=IdempotencyClaim("officer-1:k", "hash-of-another-body"))
    assert repo.cases.count_documents({}) == 1
