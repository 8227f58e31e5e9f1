"""Cross-service fixtures: each service in a real uvicorn server on the dev stack."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest

from infra.dev.testing import (
    KafkaUnderTest,
    KeycloakStack,
    RunningService,
    registration_site,
    reporting_site,
    serve,
    stop_service,
)


@pytest.fixture
def platform(kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str) -> dict[str, str]:
    """The settings every service shares on the dev stack."""
    return {"kafka_bootstrap_servers": kafka.bootstrap, "mongodb_uri": mongodb_uri, "oidc_issuer_url": issuer_url}


def start(service: str, **settings: Any) -> Iterator[RunningService]:
    create_app = importlib.import_module(f"{service}.main").create_app
    settings_class = importlib.import_module(f"{service}.settings").Settings
    running = serve(create_app(settings_class(**settings)))
    yield running
    stop_service(running)


@pytest.fixture
def registration(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack, identity: RunningService,
                 db_name: str) -> Iterator[RunningService]:
    """With its pages on a port the realm redirects sign-ins back to."""
    with registration_site(kafka, mongodb_uri, keycloak_server, mongodb_database=f"reg_{db_name}") as service:
        yield service


@pytest.fixture
def reporting(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack, identity: RunningService,
              db_name: str) -> Iterator[RunningService]:
    """With its staff pages on a port the realm redirects sign-ins back to (/reports/auth/callback)."""
    with reporting_site(kafka, mongodb_uri, keycloak_server, mongodb_database=f"rep_{db_name}") as service:
        yield service


@pytest.fixture
def notify(platform: dict[str, str], db_name: str) -> Iterator[RunningService]:
    yield from start("notify", **platform, mongodb_database=f"ntf_{db_name}")
