"""The four services on the dev stack for the authorization matrix, plus the seeded context."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from infra.dev.testing import KafkaUnderTest, RunningService, free_port, serve, stop_service
from tests.authz.model import Context
from tests.authz.seed import seed_case, seed_staff


@pytest.fixture
def identity_under_test(kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str,
                        tmp_path: Path) -> Iterator[RunningService]:
    """identity as `make run` starts it (ENV=dev: dev issuer routes, Keycloak stand-in, audit consumer),
    trusting the session's dev issuer so every service accepts the same persona tokens."""
    from identity.main import create_app
    from identity.settings import Settings

    port = free_port()
    settings = Settings(env="dev", mongodb_uri=mongodb_uri, mongodb_database=f"idn_{db_name}",
                        public_url=f"http://127.0.0.1:{port}", oidc_issuer_url=issuer_url,
                        dev_key_dir=tmp_path / "keys", kafka_bootstrap_servers=kafka.bootstrap,
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
