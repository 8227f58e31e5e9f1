"""The four services on the dev stack for the authorization matrix, plus the seeded context."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from infra.dev.testing import KafkaUnderTest, KeycloakStack, RunningService, identity_settings, serve, stop_service
from tests.authz.model import Context
from tests.authz.seed import seed_case, seed_staff


@pytest.fixture
def identity_under_test(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack,
                        identity: RunningService, db_name: str, tmp_path: Path) -> Iterator[RunningService]:
    """identity as `make run` starts it (ENV=dev, the session's Keycloak, its own audit consumer), on a
    second port the realm knows; the session's ``identity`` serves the ThaiD simulator sign-ins go through."""
    from identity.main import create_app

    with keycloak_server.identity_port_lease() as port:
        settings = identity_settings(keycloak_server, mongodb_uri, tmp_path / "keys", port=port,
                                     mongodb_database=f"idn_{db_name}", kafka_bootstrap_servers=kafka.bootstrap,
                                     consumer_group=f"identity-{uuid.uuid4().hex[:8]}")
        service = serve(create_app(settings), port)
        yield service
        stop_service(service)


@pytest.fixture
def stack(identity_under_test: RunningService, registration: RunningService, reporting: RunningService,
          notify: RunningService) -> dict[str, RunningService]:
    return {"identity": identity_under_test, "registration": registration, "reporting": reporting,
            "notify": notify}


@pytest.fixture
def seeded(stack: dict[str, RunningService], token_for: Callable[[str], str]) -> Context:
    values = seed_case(stack["registration"].url, token_for)
    values.update(seed_staff(stack["identity"].url, token_for))
    return Context(values)
