"""The notify service as deployed (create_app, its lifespan starting the consumer and the senders) on a real
Kafka: a registration produced to case-events reaches the loopback SMS gateway and SMTP server once each, and
a dead SMS gateway sends its messages to the dead-letter topic while e-mail keeps flowing."""

from __future__ import annotations

import uuid
from typing import Any

from confluent_kafka import Consumer, Producer

from contracts import codec, registry
from infra.dev.testing import KafkaUnderTest, serve, stop_service, wait_until
from notify.deadletter import TOPIC as DEAD_LETTERS
from notify.devsinks.sinks import Sinks
from notify.main import create_app
from notify.settings import Settings


def registration() -> dict[str, Any]:
    base = dict(registry.examples("CaseRegistered", 1))["online.json"]
    return base | {"event_id": str(uuid.uuid4()), "case_id": f"c-{uuid.uuid4().hex[:24].upper()}"}


def test_events_become_delivered_messages_and_an_outage_dead_letters(
        kafka: KafkaUnderTest, mongodb_uri: str, db_name: str) -> None:
    sinks = Sinks().start()
    settings = Settings(mongodb_uri=mongodb_uri, mongodb_database=db_name, kafka_bootstrap_servers=kafka.bootstrap,
                        consumer_group=db_name, smtp_port=sinks.smtp_port, sms_gateway_url=f"{sinks.http_url}/sms/send",
                        line_api_url=sinks.http_url, give_up_after_s=3, backoff_base_s=0.2, backoff_cap_s=0.5)
    service = serve(create_app(settings))
    producer = Producer({"bootstrap.servers": kafka.bootstrap, "acks": "all"})
    try:
        first = registration()
        key, value, headers = codec.encode("case-events", first)
        producer.produce("case-events", key=key, value=value, headers=headers)
        producer.produce("case-events", key=key, value=value, headers=headers)  # redelivered
        producer.flush(20)
        assert wait_until(lambda: any(first["case_id"] in s.text for s in sinks.outbox.of("sms"))
                          and any(first["case_id"] in m.subject for m in sinks.outbox.of("email")), timeout=60)

        sinks.fail("sms", 503)
        second = registration()
        key, value, headers = codec.encode("case-events", second)
        producer.produce("case-events", key=key, value=value, headers=headers)
        producer.flush(20)
        assert wait_until(lambda: any(second["case_id"] in m.subject for m in sinks.outbox.of("email")), timeout=60)
        reader = Consumer({"bootstrap.servers": kafka.bootstrap, "group.id": f"dl-{db_name}",
                           "auto.offset.reset": "earliest"})
        reader.subscribe([DEAD_LETTERS])
        dead: list[dict[str, Any]] = []

        def dead_lettered() -> bool:
            msg = reader.poll(0.5)
            if msg is not None and not msg.error():
                event = codec.decode(msg.value())
                if event["case_id"] == second["case_id"]:
                    dead.append(event)
            return bool(dead)

        try:
            assert wait_until(dead_lettered, timeout=60)
        finally:
            reader.close()
        assert dead[0]["channel"] == "sms" and "503" in dead[0]["reason"] and dead[0]["attempts"] >= 2
        assert dead[0]["provider"] == "sms-gateway"
        assert [s for s in sinks.outbox.of("sms") if second["case_id"] in s.text] == []
        ours = [s for s in sinks.outbox.of("sms") if first["case_id"] in s.text]
        assert len(ours) == 1, "the redelivered event was sent once"
    finally:
        stop_service(service)
        sinks.stop()
