"""Identity's test fixtures: the Keycloak Admin API (the recording stand-in, or a real Keycloak when
KEYCLOAK_URL is set) and an identity service wired to it."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from identity.adapters.keycloak_directory import KeycloakStaffDirectory
from identity.devtools.keycloak_fake import FakeKeycloak
from identity.devtools.threaded_server import ThreadedServer
from identity.domain.citizen_id import check_digit
from infra.dev.testing import RunningService, free_port, serve, stop_service


@dataclass
class KeycloakUnderTest:
    url: str
    realm: str
    client_id: str
    client_secret: str
    fake: FakeKeycloak | None  # None: a real Keycloak, whose requests are not recorded

    def directory(self) -> KeycloakStaffDirectory:
        return KeycloakStaffDirectory.connect(self.url, self.realm, self.client_id, self.client_secret)


@pytest.fixture
def keycloak() -> Iterator[KeycloakUnderTest]:
    url = os.environ.get("KEYCLOAK_URL")
    if url:
        yield KeycloakUnderTest(url, os.environ.get("KEYCLOAK_REALM", "debt"),
                                os.environ["KEYCLOAK_ADMIN_CLIENT_ID"], os.environ["KEYCLOAK_ADMIN_CLIENT_SECRET"],
                                None)
        return
    fake = FakeKeycloak()
    server = ThreadedServer(fake.app).start()
    yield KeycloakUnderTest(server.url, fake.realm, fake.client_id, fake.client_secret, fake)
    server.stop()


@pytest.fixture
def stand_in() -> Iterator[KeycloakUnderTest]:
    """Always the recording Keycloak stand-in, even with KEYCLOAK_URL set: for tests that make Keycloak
    fail on purpose (a real Keycloak cannot be told to)."""
    fake = FakeKeycloak()
    server = ThreadedServer(fake.app).start()
    yield KeycloakUnderTest(server.url, fake.realm, fake.client_id, fake.client_secret, fake)
    server.stop()


def start_identity(keycloak: KeycloakUnderTest, mongodb_uri: str, issuer_url: str, db_name: str) -> RunningService:
    """An identity service (ENV=test) trusting the dev issuer and provisioning into ``keycloak``."""
    from identity.main import create_app
    from identity.settings import Settings

    port = free_port()
    settings = Settings(env="test", mongodb_uri=mongodb_uri, mongodb_database=f"idn_{db_name}",
                        public_url=f"http://127.0.0.1:{port}",
                        oidc_issuer_url=issuer_url, keycloak_url=keycloak.url, keycloak_realm=keycloak.realm,
                        keycloak_admin_client_id=keycloak.client_id,
                        keycloak_admin_client_secret=keycloak.client_secret)
    return serve(create_app(settings), port)


@pytest.fixture
def identity_app(keycloak: KeycloakUnderTest, mongodb_uri: str, issuer_url: str, db_name: str
                 ) -> Iterator[RunningService]:
    service = start_identity(keycloak, mongodb_uri, issuer_url, db_name)
    yield service
    stop_service(service)


@pytest.fixture
def identity_on_stand_in(stand_in: KeycloakUnderTest, mongodb_uri: str, issuer_url: str, db_name: str
                         ) -> Iterator[RunningService]:
    service = start_identity(stand_in, mongodb_uri, issuer_url, db_name)
    yield service
    stop_service(service)


@pytest.fixture
def new_citizen_id() -> Callable[[], str]:
    """Fresh valid citizen IDs (random, so runs against a real Keycloak do not collide)."""
    rng = random.Random(uuid.uuid4().int)  # noqa: S311 - test data, not secrets

    def make() -> str:
        first_twelve = str(rng.randint(1, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
        return first_twelve + str(check_digit(first_twelve))

    return make
