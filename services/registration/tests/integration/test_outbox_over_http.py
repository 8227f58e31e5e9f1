"""The broker outage over HTTP: registrations are accepted while Kafka is down and each is published once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pymongo.database import Database

from infra.dev.testing import KafkaUnderTest, RunningService, wait_until

from .conftest import Body, citizen_id
from .test_outbox_relay import consume_keys


def test_http_registrations_during_a_broker_outage_are_published_once(
    registration: RunningService, registration_db: Database[Any], kafka: KafkaUnderTest,
    token_for: Callable[[str], str], body: Callable[..., Body],
) -> None:
    if kafka.broker is None:
        pytest.fail("the outage test stops and restarts the dev broker (unset KAFKA_BOOTSTRAP_SERVERS)")
    kafka.broker.stop()
    try:
        with registration.client(token_for("registrar:4701")) as desk:
            responses = [desk.post("/api/v1/registrations", json=body("desk", citizen=citizen_id(9000 + n)))
                         for n in range(100)]
        assert [r.status_code for r in responses] == [201] * 100
        assert registration_db["outbox"].count_documents({"sent": False, "topic": "case-events"}) == 100
    finally:
        kafka.broker.start()
    assert wait_until(lambda: registration_db["outbox"].count_documents({"sent": False}) == 0, timeout=60)
    event_ids = consume_keys(kafka.bootstrap, {r.json()["case_id"] for r in responses})
    assert len(set(event_ids)) == 100
