"""Pytest plugin: the dev stack for integration tests.

Each part honours its environment variable (KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI) and is started
here only when that is unset, so the same tests run against real servers. Services under test run
in real uvicorn servers on loopback ports and are reached over HTTP.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from infra.dev.kafka_mock import MockKafkaCluster
from infra.dev.mongo import DevMongo


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class KafkaUnderTest:
    bootstrap: str
    cluster: MockKafkaCluster | None  # None when tests run against a real cluster


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
def kafka() -> Iterator[KafkaUnderTest]:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if bootstrap:
        yield KafkaUnderTest(bootstrap, None)
        return
    with MockKafkaCluster() as cluster:
        cluster.create_contract_topics()
        yield KafkaUnderTest(cluster.bootstrap, cluster)


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


@pytest.fixture(scope="session")
def identity(mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    """The identity service in ENV=dev: the OIDC issuer every other service verifies tokens with."""
    from identity.main import create_app
    from identity.settings import Settings

    port = free_port()
    settings = Settings(
        env="dev",
        mongodb_uri=mongodb_uri,
        mongodb_database=f"identity_{uuid.uuid4().hex[:8]}",
        public_url=f"http://127.0.0.1:{port}",
        dev_key_dir=Path(tmp_path_factory.mktemp("identity-keys")),
    )
    service = serve(create_app(settings), port)
    yield service
    stop_service(service)


@pytest.fixture(scope="session")
def issuer_url(identity: RunningService) -> str:
    return f"{identity.url}/realms/debt"


@pytest.fixture(scope="session")
def token_for(identity: RunningService) -> Callable[[str], str]:
    """``token_for("citizen:1234567890121")``: a signed access token for a dev persona."""
    cache: dict[str, str] = {}

    def mint(persona: str) -> str:
        if persona not in cache:
            response = httpx.post(f"{identity.url}/dev/token", json={"persona": persona}, timeout=10)
            response.raise_for_status()
            cache[persona] = response.json()["access_token"]
        return cache[persona]

    return mint


def wait_until(predicate: Callable[[], bool], timeout: float = 20.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
