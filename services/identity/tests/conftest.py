"""Identity's test fixtures: the Keycloak Admin API (the session's real Keycloak; the recording stand-in
only where a test makes Keycloak fail part-way) and an identity service wired to it."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from identity.adapters.keycloak_directory import KeycloakStaffDirectory
from identity.devtools.keycloak_fake import FakeKeycloak
from identity.devtools.threaded_server import ThreadedServer
from identity.domain.citizen_id import check_digit
from infra.dev.testing import KeycloakStack, RunningService, free_port, serve, stop_service


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
def keycloak(keycloak_server: KeycloakStack) -> KeycloakUnderTest:
    """The session's real Keycloak, reached through the realm's debt-identity service account."""
    return KeycloakUnderTest(keycloak_server.url, "debt", "debt-identity",
                             keycloak_server.secrets.clients["debt-identity"], None)


@pytest.fixture
def stand_in() -> Iterator[KeycloakUnderTest]:
    """Always the recording Keycloak stand-in, even with KEYCLOAK_URL set: for tests that make Keycloak
    fail on purpose (a real Keycloak cannot be told to)."""
    fake = FakeKeycloak()
    server = ThreadedServer(fake.app).start()
    yield KeycloakUnderTest(server.url, fake.realm, fake.client_id, fake.client_secret, fake)
    server.stop()


def start_identity(keycloak: KeycloakUnderTest, mongodb_uri: str, issuer_url: str, db_name: str) -> RunningService:
    """An identity service (ENV=test) trusting the session's Keycloak and provisioning into ``keycloak``."""
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
