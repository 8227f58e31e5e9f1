"""Notify on the dev stack: ready when MongoDB and Kafka answer, and measured."""

from __future__ import annotations

from infra.dev.testing import KafkaUnderTest, serve, stop_service
from notify.main import create_app
from notify.settings import Settings


def test_ready_on_the_dev_stack(kafka: KafkaUnderTest, mongodb_uri: str, db_name: str) -> None:
    service = serve(create_app(Settings(mongodb_uri=mongodb_uri, kafka_bootstrap_servers=kafka.bootstrap,
                                        mongodb_database=db_name)))
    try:
        with service.client() as http:
            ready = http.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["checked"] == ["kafka", "mongodb"]
            assert "http_request_duration_seconds_bucket" in http.get("/metrics").text
    finally:
        stop_service(service)
