"""The audit log: consumed from every service, append-only, searchable by auditors only."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from confluent_kafka import Producer
from fastapi.routing import iter_route_contexts

from contracts import codec
from identity.adapters.audit_store import AuditStore
from infra.dev.testing import KafkaUnderTest, RunningService, serve, stop_service, wait_until


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
    for persona in ("dopa_admin", "province_officer:47", "registrar:4701", "citizen:1101700230705"):
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


def test_identity_writes_its_own_sign_in_entries(identity: RunningService, issuer_url: str,
                                                 token_for: Callable[[str], str]) -> None:
    from infra.dev.browser import code_flow_tokens

    code_flow_tokens(issuer_url, "registrar:4702")
    with identity.client(token_for("auditor")) as http:
        entries = http.get("/api/v1/audit", params={"action": "session.signin", "page_size": 200}).json()["entries"]
    mine = [e for e in entries if e["actor_unit_code"] == "4702" and e["actor_roles"] == ["registrar"]]
    assert mine and mine[0]["source_ip"] == "127.0.0.1" and mine[0]["target"] == "debt-public"
