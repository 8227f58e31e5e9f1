"""The audit log: consumed from every service, append-only, searchable by auditors only."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from confluent_kafka import Producer
from fastapi.routing import iter_route_contexts

from contracts import codec
from identity.adapters.audit_store import AuditStore
from infra.dev.testing import KafkaUnderTest, KeycloakStack, RunningService, serve, stop_service, wait_until


@pytest.fixture
def consuming_identity(kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str
                       ) -> Iterator[RunningService]:
    from identity.main import create_app
    from identity.settings import Settings

    settings = Settings(env="test", mongodb_uri=mongodb_uri, mongodb_database=f"idn_{db_name}",
                        oidc_issuer_url=issuer_url, kafka_bootstrap_servers=kafka.bootstrap,
                        consumer_group=f"identity-{uuid.uuid4().hex[:8]}")
    service = serve(create_app(settings))
    yield service
    stop_service(service)


def audit_event(case_id: str, actor: str = "officer-1", **fields: object) -> codec.Event:
    return codec.new_event("AuditRecorded", 1, service="registration", actor_sub=actor,
                           actor_roles=["district_officer"], actor_unit_code="4701", action="case.read",
                           outcome="allowed", case_id=case_id, target=None, source_ip="10.0.0.9",
                           request_id=None, **fields)


def produce(bootstrap: str, *events: codec.Event) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for event in events:
        key, value, headers = codec.encode("audit-events", event)
        producer.produce("audit-events", key=key, value=value, headers=headers)
    assert producer.flush(10) == 0


def test_events_from_other_services_are_stored_once_and_searchable(
    consuming_identity: RunningService, kafka: KafkaUnderTest, token_for: Callable[[str], str]
) -> None:
    case_id = f"c-{uuid.uuid4().hex[:12]}"
    first, second = audit_event(case_id), audit_event(case_id, actor="officer-2")
    produce(kafka.bootstrap, first, second, first)  # a redelivery of the first
    with consuming_identity.client(token_for("auditor")) as http:
        assert wait_until(lambda: http.get("/api/v1/audit", params={"case_id": case_id}).json()["total"] == 2)
        by_actor = http.get("/api/v1/audit", params={"case_id": case_id, "actor": "officer-2"}).json()
        assert [e["event_id"] for e in by_actor["entries"]] == [second["event_id"]]
        paged = http.get("/api/v1/audit", params={"case_id": case_id, "page_size": 1, "page": 2}).json()
        assert paged["total"] == 2 and len(paged["entries"]) == 1 and not paged["has_next"]
        later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        assert http.get("/api/v1/audit", params={"case_id": case_id, "since": later}).json()["total"] == 0
        assert http.get("/api/v1/audit", params={"case_id": case_id, "action": "case."}).json()["total"] == 2
        searches = http.get("/api/v1/audit", params={"action": "audit.search", "page_size": 200}).json()
        assert any(e["target"] == f"case:{case_id}" for e in searches["entries"])  # reading the log is audited


def test_only_auditors_search(identity: RunningService, token_for: Callable[[str], str]) -> None:
    for persona in ("dopa_admin", "province_officer:47", "registrar:4701", "citizen:1101700230708"):
        with identity.client(token_for(persona)) as http:
            assert http.get("/api/v1/audit").status_code == 403, persona
    with identity.client() as http:
        assert http.get("/api/v1/audit").status_code == 401


def test_no_route_can_change_or_delete_audit_entries(identity: RunningService, token_for: Callable[[str], str],
                                                     ) -> None:
    routes = [r for r in iter_route_contexts(identity.app.routes) if "audit" in (r.path or "")]
    assert {r.path for r in routes} == {"/api/v1/audit", "/audit"}
    for route in routes:
        assert route.methods is not None and route.methods <= {"GET", "HEAD"}, route.path
    with identity.client(token_for("auditor")) as http:
        entry = http.get("/api/v1/audit", params={"page_size": 1}).json()["entries"]
        ids = [e["event_id"] for e in entry] or [str(uuid.uuid4())]
        for path in ("/api/v1/audit", f"/api/v1/audit/{ids[0]}", "/audit", f"/audit/{ids[0]}"):
            for method in ("PUT", "PATCH", "DELETE", "POST"):
                status = http.request(method, path, json={"outcome": "denied"}).status_code
                assert status in (404, 405), (method, path, status)


def test_the_store_has_no_way_to_change_or_remove_an_entry() -> None:
    public = {name for name, _ in inspect.getmembers(AuditStore, inspect.isfunction) if not name.startswith("_")}
    assert public == {"ensure_indexes", "append", "search"}


def test_identity_writes_its_own_sign_in_entries(identity: RunningService, keycloak_server: KeycloakStack,
                                                 token_for: Callable[[str], str]) -> None:
    """Signing in to identity's pages is audited as ``session.signin`` (the page client as target), and the ThaiD
    simulator's sign-in as ``thaid.signin`` under ThaiD's opaque subject: neither names the citizen ID."""
    from contracts.claims import TokenVerifier
    from identity.domain.thaid import subject
    from infra.dev.browser import DevBrowser

    sub = TokenVerifier(keycloak_server.issuer, "debt-services").verify(token_for("registrar:4702")).sub
    citizen_id = keycloak_server.accounts.citizen_id_of("registrar:4702")

    def entries(action: str, actor: str) -> list[dict[str, Any]]:
        with identity.client(token_for("auditor")) as http:
            found: list[dict[str, Any]] = http.get("/api/v1/audit", params={"action": action, "actor": actor,
                                                                            "page_size": 200}).json()["entries"]
        return found

    before = len(entries("session.signin", sub)), len(entries("thaid.signin", subject(citizen_id)))
    with DevBrowser() as browser:
        assert browser.sign_in_through(f"{identity.url}/signin?next=/", "registrar:4702").status_code == 303
    signins, thaid = entries("session.signin", sub), entries("thaid.signin", subject(citizen_id))
    assert (len(signins), len(thaid)) == (before[0] + 1, before[1] + 1)
    assert signins[0]["actor_unit_code"] == "4702" and signins[0]["actor_roles"] == ["registrar"]
    assert signins[0]["source_ip"] == "127.0.0.1" and signins[0]["target"] == "debt-staff"
    assert thaid[0]["target"] == "thaid-dev" and citizen_id not in str(signins[0]) + str(thaid[0])
