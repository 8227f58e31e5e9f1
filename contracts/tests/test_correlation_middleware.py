"""The correlation id of an HTTP request: taken when sane, made up otherwise, bound for the route (async and
threadpool alike), echoed in the response; one access-log line per request with the route template only."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from contracts.logs import current_correlation_id
from contracts.ops import Check, install_ops


def app_with_ops() -> FastAPI:
    app = FastAPI()

    @app.get("/async/{receipt}")
    async def seen_async(receipt: str) -> dict[str, str | None]:
        logging.getLogger("registration.intake").info("inside the route")
        return {"bound": current_correlation_id()}

    @app.get("/sync")
    def seen_in_threadpool() -> dict[str, str | None]:
        return {"bound": current_correlation_id()}

    def no_checks() -> Mapping[str, Check]:
        return {}

    install_ops(app, "registration", no_checks)
    return app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(app_with_ops())


def test_a_sane_id_from_the_caller_is_bound_and_echoed(client: TestClient) -> None:
    for path in ("/async/57-2569-000001", "/sync"):
        answer = client.get(path, headers={"X-Correlation-ID": "gw-5b0e3f1a.7c2d:01"})
        assert answer.headers["X-Correlation-ID"] == "gw-5b0e3f1a.7c2d:01"
        assert answer.json() == {"bound": "gw-5b0e3f1a.7c2d:01"}


def test_without_one_a_uuid4_is_made_bound_and_returned(client: TestClient) -> None:
    first, second = client.get("/sync"), client.get("/sync")
    made = first.headers["X-Correlation-ID"]
    assert uuid.UUID(made).version == 4 and first.json() == {"bound": made}
    assert second.headers["X-Correlation-ID"] != made  # one per request


@pytest.mark.parametrize("garbage", ["has space", "<script>", "a" * 200, "-x", "ไทย".encode()])
def test_garbage_is_refused_and_replaced(client: TestClient, garbage: str | bytes) -> None:
    answer = client.get("/sync", headers={"X-Correlation-ID": garbage})
    replaced = answer.headers["X-Correlation-ID"]
    assert replaced != garbage and uuid.UUID(replaced).version == 4
    assert answer.json() == {"bound": replaced}


def test_ops_routes_and_errors_carry_it_too(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Correlation-ID": "probe-1"}).headers["X-Correlation-ID"] == "probe-1"
    missing = client.get("/nowhere", headers={"X-Correlation-ID": "lost-1"})
    assert missing.status_code == 404 and missing.headers["X-Correlation-ID"] == "lost-1"


def test_the_access_line_names_the_route_template_never_the_path_or_query(
        client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        client.get("/async/57-2569-000001?code=secret-code", headers={"X-Correlation-ID": "trace-9"})
    [access] = [r for r in caplog.records if r.name == "contracts.access"]
    assert (access.method, access.route, access.status) == ("GET", "/async/{receipt}", 200)  # type: ignore[attr-defined]
    inside = [r for r in caplog.records if r.name == "registration.intake"]
    assert len(inside) == 1
    served = [r for r in caplog.records if r.name != "httpx"]  # the test client's own line is not the service's
    text = " ".join(f"{r.getMessage()} {vars(r)}" for r in served)
    assert "57-2569-000001" not in text and "secret-code" not in text
