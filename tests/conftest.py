"""Cross-service fixtures: each service in a real uvicorn server on the dev stack."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from infra.dev.testing import KafkaUnderTest, RunningService, serve, stop_service


@pytest.fixture
def registration(kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str) -> Iterator[RunningService]:
    from registration.main import create_app
    from registration.settings import Settings

    settings = Settings(
        kafka_bootstrap_servers=kafka.bootstrap, mongodb_uri=mongodb_uri, oidc_issuer_url=issuer_url,
        mongodb_database=f"reg_{db_name}",
    )
    service = serve(create_app(settings))
    yield service
    stop_service(service)


@pytest.fixture
def reporting(kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str) -> Iterator[RunningService]:
    from reporting.main import create_app
    from reporting.settings import Settings

    settings = Settings(
        kafka_bootstrap_servers=kafka.bootstrap, mongodb_uri=mongodb_uri, oidc_issuer_url=issuer_url,
        mongodb_database=f"rep_{db_name}", consumer_group=f"reporting-{uuid.uuid4().hex[:8]}",
    )
    service = serve(create_app(settings))
    yield service
    stop_service(service)


@pytest.fixture
def notify(kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str) -> Iterator[RunningService]:
    from notify.main import create_app
    from notify.settings import Settings

    settings = Settings(
        kafka_bootstrap_servers=kafka.bootstrap, mongodb_uri=mongodb_uri, oidc_issuer_url=issuer_url,
        mongodb_database=f"ntf_{db_name}",
    )
    service = serve(create_app(settings))
    yield service
    stop_service(service)
