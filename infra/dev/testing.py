"""Pytest plugin: the dev stack for integration tests, one of each per test session.

A real Kafka broker and a real Keycloak (dev realm plus the test-only password-grant clients), and
nx-27017 for MongoDB. Kafka and MongoDB honour KAFKA_BOOTSTRAP_SERVERS and MONGODB_URI and are started
here only when those are unset. Services under test run in real uvicorn servers on loopback ports and
are reached over HTTP; tokens come from Keycloak (``token_for``).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from infra.dev.accounts import DEV_PEOPLE_FILE, DevAccounts
from infra.dev.browser import DevBrowser
from infra.dev.kafka import DevKafka
from infra.dev.keycloak import DevKeycloak
from infra.dev.mongo import DevMongo
from infra.dev.realm import TEST_CLIENTS, THAID_DEV_CLIENT_ID, DevSecrets, DevUrls, dev_realm

if TYPE_CHECKING:
    from identity.settings import Settings as IdentitySettings

# Sites a test may run at once: the shared one, and ones with other settings.
SITE_PORTS = 3
IDENTITY_PORTS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class KafkaUnderTest:
    bootstrap: str
    broker: DevKafka | None  # None when tests run against a cluster named by KAFKA_BOOTSTRAP_SERVERS


@dataclass
class KeycloakStack:
    """The session's Keycloak, and the loopback ports its dev realm sends browsers back to."""

    server: DevKeycloak  # outage tests stop and start it
    secrets: DevSecrets
    # The realm accepts each registration site's /auth/callback and each identity's /signin/callback; the
    # first identity port also serves the ThaiD simulator Keycloak brokers to (the ``identity`` fixture).
    identity_ports: tuple[int, ...]
    site_ports: tuple[int, ...]
    accounts: DevAccounts
    _leased: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def issuer(self) -> str:
        return self.server.issuer

    @property
    def identity_port(self) -> int:
        return self.identity_ports[0]

    @property
    def site_port(self) -> int:
        return self.site_ports[0]

    def site_port_lease(self) -> AbstractContextManager[int]:
        """A registration site port of the realm's that no running test site holds."""
        return self._lease(self.site_ports)

    def identity_port_lease(self) -> AbstractContextManager[int]:
        """An identity port of the realm's besides the ``identity`` fixture's, for an identity with other settings."""
        return self._lease(self.identity_ports[1:])

    @contextmanager
    def _lease(self, ports: tuple[int, ...]) -> Iterator[int]:
        with self._lock:
            free = [port for port in ports if port not in self._leased]
            if not free:
                raise RuntimeError(f"all {len(ports)} such ports the test realm knows are in use")
            self._leased.add(free[0])
        try:
            yield free[0]
        finally:
            with self._lock:
                self._leased.discard(free[0])


@dataclass
class RunningService:
    url: str
    app: FastAPI
    server: uvicorn.Server
    thread: threading.Thread

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)


def serve(app: FastAPI, port: int | None = None, timeout: float = 30.0) -> RunningService:
    """Runs ``app`` in a uvicorn server thread (lifespan included) until ``stop_service``."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name=f"uvicorn-{port}")
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"service on port {port} did not start")
        time.sleep(0.02)
    return RunningService(url=f"http://127.0.0.1:{port}", app=app, server=server, thread=thread)


def stop_service(service: RunningService) -> None:
    service.server.should_exit = True
    service.thread.join(20)
    if service.thread.is_alive():
        raise RuntimeError(f"service at {service.url} did not shut down within 20 s")


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaUnderTest]:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if bootstrap:
        yield KafkaUnderTest(bootstrap, None)
        return
    with DevKafka(tmp_path_factory.mktemp("kafka"), free_port(), free_port()) as broker:
        broker.create_contract_topics()
        yield KafkaUnderTest(broker.bootstrap, broker)


@contextmanager
def keycloak_stack(workdir: Path) -> Iterator[KeycloakStack]:
    """A real Keycloak with the dev realm and the test-only clients, on loopback ports of its own."""
    port = free_port()
    identity_ports = tuple(free_port() for _ in range(IDENTITY_PORTS))
    site_ports = tuple(free_port() for _ in range(SITE_PORTS))
    site_urls = [f"http://127.0.0.1:{site_port}" for site_port in site_ports]
    identity_urls = [f"http://127.0.0.1:{identity_port}" for identity_port in identity_ports]
    urls = DevUrls(keycloak=f"http://127.0.0.1:{port}", registration=site_urls[0], identity=identity_urls[0])
    dev_secrets = DevSecrets.load_or_create(None)
    realm = dev_realm(urls, dev_secrets, test_client=True, more_registration_urls=site_urls[1:],
                      more_identity_urls=identity_urls[1:])
    with DevKeycloak(workdir, port, realm) as server:
        accounts = DevAccounts(server.url, "debt", "debt-identity", dev_secrets.clients["debt-identity"],
                               {page: (test, dev_secrets.clients[test]) for page, test in TEST_CLIENTS.items()})
        yield KeycloakStack(server, dev_secrets, identity_ports, site_ports, accounts)


@pytest.fixture(scope="session")
def keycloak_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeycloakStack]:
    """One real Keycloak for the session, its realm imported from infra/keycloak with the dev overlay."""
    with keycloak_stack(tmp_path_factory.mktemp("keycloak")) as stack:
        DevBrowser.accounts = stack.accounts
        yield stack
        DevBrowser.accounts = None


@pytest.fixture(scope="session")
def mongodb_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    uri = os.environ.get("MONGODB_URI")
    if uri:
        yield uri
        return
    with DevMongo(tmp_path_factory.mktemp("mongo"), free_port()) as mongo:
        yield mongo.uri


@pytest.fixture
def db_name() -> str:
    """A fresh database name per test, so tests never see each other's data."""
    return f"t{uuid.uuid4().hex[:12]}"


def identity_settings(keycloak: KeycloakStack, mongodb_uri: str, key_dir: Path, *, port: int | None = None,
                      **changes: object) -> IdentitySettings:
    """Identity in ENV=dev on a port the dev realm knows (the first unless ``port``): it trusts Keycloak,
    provisions into it through the debt-identity service account, and serves the ThaiD simulator."""
    from identity.settings import Settings

    clients = keycloak.secrets.clients
    values: dict[str, object] = {
        "env": "dev", "mongodb_uri": mongodb_uri, "mongodb_database": f"identity_{uuid.uuid4().hex[:8]}",
        "public_url": f"http://127.0.0.1:{port or keycloak.identity_port}", "dev_key_dir": key_dir,
        "oidc_issuer_url": keycloak.issuer, "keycloak_url": keycloak.url,
        "keycloak_admin_client_id": "debt-identity", "keycloak_admin_client_secret": clients["debt-identity"],
        "public_client_secret": clients["debt-public"], "staff_client_secret": clients["debt-staff"],
        "thaid_sim_client_id": THAID_DEV_CLIENT_ID, "thaid_sim_client_secret": clients[THAID_DEV_CLIENT_ID],
        "thaid_sim_people_file": DEV_PEOPLE_FILE, **changes}
    return Settings.model_validate(values)


@pytest.fixture(scope="session")
def identity(keycloak_server: KeycloakStack, mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[RunningService]:
    """The identity service (ENV=dev) on the realm's identity port: sign-in pages and the ThaiD simulator."""
    from identity.main import create_app

    # The whole suite signs the same dev people in from one address through this one identity; its sign-in
    # limits are tested with their own low values in identity's test_signin_and_abuse.py.
    settings = identity_settings(keycloak_server, mongodb_uri, Path(tmp_path_factory.mktemp("identity-keys")),
                                 signin_limit_per_address=100_000, signin_limit_per_citizen=10_000)
    service = serve(create_app(settings), keycloak_server.identity_port)
    yield service
    stop_service(service)


@contextmanager
def registration_site(kafka: KafkaUnderTest, mongodb_uri: str, keycloak: KeycloakStack, *,
                      mongodb_database: str | None = None, **env: str) -> Iterator[RunningService]:
    """Registration, API and pages, on a port the test realm redirects sign-ins back to (``env``: more
    REGISTRATION_* settings). Signing in needs the ``identity`` fixture running (the ThaiD simulator)."""
    from registration.main import create_app
    from registration.settings import Settings

    with keycloak.site_port_lease() as port:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("REGISTRATION_PUBLIC_URL", f"http://127.0.0.1:{port}")
            patch.setenv("REGISTRATION_OIDC_PUBLIC_CLIENT_SECRET", keycloak.secrets.clients["debt-public"])
            patch.setenv("REGISTRATION_OIDC_STAFF_CLIENT_SECRET", keycloak.secrets.clients["debt-staff"])
            for name, value in env.items():
                patch.setenv(name, value)
            settings = Settings(kafka_bootstrap_servers=kafka.bootstrap, mongodb_uri=mongodb_uri,
                                oidc_issuer_url=keycloak.issuer,
                                mongodb_database=mongodb_database or f"web_{uuid.uuid4().hex[:10]}")
            service = serve(create_app(settings), port)
        try:
            yield service
        finally:
            stop_service(service)


@pytest.fixture(scope="session")
def reporting_worker(kafka: KafkaUnderTest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Reporting's stream worker (``python -m reporting.streams worker``) on the session's broker, so case
    events reach the ``totals`` topic that reporting's web process reads."""
    from infra.dev.services import REPORTING_WORKER, start_worker, stop_worker

    workdir = tmp_path_factory.mktemp("reporting-worker")
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap, "REPORTING_STREAMS_SESSION_TIMEOUT": "6"}
    worker = start_worker(REPORTING_WORKER, env, workdir / "data", workdir / "worker.log")
    yield worker
    stop_worker(worker)


@pytest.fixture(scope="session")
def issuer_url(keycloak_server: KeycloakStack) -> str:
    return keycloak_server.issuer


@pytest.fixture(scope="session")
def token_for(keycloak_server: KeycloakStack) -> Callable[[str], str]:
    """``token_for("citizen:1234567890121")``: a real Keycloak access token for a dev persona."""
    return keycloak_server.accounts.token


def wait_until(predicate: Callable[[], bool], timeout: float = 20.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@contextmanager
def reporting_site(kafka: KafkaUnderTest, mongodb_uri: str, keycloak: KeycloakStack, *,
                   mongodb_database: str | None = None, **settings: Any) -> Iterator[RunningService]:
    """Reporting, API and staff pages (``/reports``), on a site port whose ``/reports/auth/callback`` the test
    realm's staff client accepts. Signing in needs the ``identity`` fixture running (the ThaiD simulator)."""
    from reporting.main import create_app
    from reporting.settings import Settings

    with keycloak.site_port_lease() as port:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("REPORTING_PUBLIC_URL", f"http://127.0.0.1:{port}")
            patch.setenv("REPORTING_OIDC_CLIENT_SECRET", keycloak.secrets.clients["debt-staff"])
            values = {"kafka_bootstrap_servers": kafka.bootstrap, "mongodb_uri": mongodb_uri,
                      "oidc_issuer_url": keycloak.issuer,
                      "mongodb_database": mongodb_database or f"rep_{uuid.uuid4().hex[:10]}", **settings}
            service = serve(create_app(Settings(**values)), port)
        try:
            # Ready once its totals view has read the totals topic to the end it had at start (as make run waits).
            if not wait_until(lambda: httpx.get(f"{service.url}/readyz", timeout=5).status_code == 200, timeout=90):
                raise RuntimeError(f"reporting not ready: {httpx.get(f'{service.url}/readyz', timeout=5).text}")
            yield service
        finally:
            stop_service(service)
