"""Every service answers /healthz, /readyz and /metrics; /readyz names what is down."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from infra.dev.testing import KafkaUnderTest, KeycloakStack, RunningService, free_port, serve, stop_service


@pytest.fixture
def all_services(
    identity: RunningService, registration: RunningService, reporting: RunningService, notify: RunningService
) -> dict[str, RunningService]:
    return {"identity": identity, "registration": registration, "reporting": reporting, "notify": notify}


def test_every_service_is_healthy_ready_and_measured(
    all_services: dict[str, RunningService], token_for: Callable[[str], str]
) -> None:
    for name, service in all_services.items():
        with service.client() as http:
            assert http.get("/healthz").json() == {"status": "ok", "service": name}
            ready = http.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert "mongodb" in ready.json()["checked"]
            metrics = http.get("/metrics")
            assert metrics.status_code == 200
            assert f'http_requests_total{{method="GET",route="/healthz",service="{name}",status="200"}}' in metrics.text


def test_readyz_names_the_dependency_that_is_down(kafka: KafkaUnderTest, issuer_url: str) -> None:
    from notify.main import create_app
    from notify.settings import Settings

    dead = f"127.0.0.1:{free_port()}"
    service = serve(create_app(Settings(mongodb_uri=f"mongodb://{dead}/", kafka_bootstrap_servers=kafka.bootstrap,
                                        oidc_issuer_url=issuer_url)))
    try:
        with service.client() as http:
            ready = http.get("/readyz", timeout=15)
        assert ready.status_code == 503
        assert set(ready.json()["failing"]) == {"mongodb"}
    finally:
        stop_service(service)


def test_readyz_reports_kafka_down(kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str) -> None:
    from notify.main import create_app
    from notify.settings import Settings

    service = serve(create_app(Settings(mongodb_uri=mongodb_uri, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",
                                        oidc_issuer_url=issuer_url)))
    try:
        with service.client() as http:
            ready = http.get("/readyz", timeout=15)
        assert ready.status_code == 503
        assert set(ready.json()["failing"]) == {"kafka"}
    finally:
        stop_service(service)


def test_api_docs_are_served_without_any_cdn(all_services: dict[str, RunningService]) -> None:
    for name, service in all_services.items():
        with service.client() as http:
            page = http.get("/docs")
            assert page.status_code == 200, name
            assert "http://" not in page.text and "https://" not in page.text, name
            for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css", "/docs-ui/init.js",
                          "/docs-ui/docs.css"):
                assert asset in page.text
                assert http.get(asset).status_code == 200, (name, asset)
            assert http.get("/openapi.json").json()["info"]["title"]


def test_keycloak_down_makes_readyz_503_while_known_keys_still_verify(
    reporting: RunningService, keycloak_server: KeycloakStack
) -> None:
    """Keycloak stopped: readiness names it, but signed-in users keep working — a token seen before from the
    verified cache, a new one from the keys already fetched."""
    seen = keycloak_server.accounts.token("district_officer:4701")
    unseen = keycloak_server.accounts.token("province_officer:47")
    with reporting.client(seen) as http:
        assert http.get("/api/v1/totals").status_code == 200
        keycloak_server.server.stop()
        try:
            ready = http.get("/readyz", timeout=15)
            assert ready.status_code == 503 and set(ready.json()["failing"]) == {"keycloak"}
            assert http.get("/api/v1/totals").status_code == 200
            answer = http.get("/api/v1/totals", headers={"Authorization": f"Bearer {unseen}"})
            assert answer.status_code == 200 and answer.json()["level"] == "province"
        finally:
            keycloak_server.server.start()
        assert http.get("/readyz", timeout=15).status_code == 200
