"""The figures export over HTTP on the dev stack: the reporting service's own client-credentials token from the
real Keycloak reads every case's latest event fields (unit, revision, status, facts) and accepted transfers,
page after page, and nobody's identity; DOPA may read it; officers may not."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pymongo.database import Database

from infra.dev.testing import KeycloakStack, RunningService
from registration.figures import reading

from .conftest import Body, citizen_id

Token = Callable[[str], str]
EXPORT = "/api/v1/figures/cases"


def today() -> str:
    return datetime.now(ZoneInfo("Asia/Bangkok")).date().isoformat()


def service_token(keycloak: KeycloakStack, client_id: str = "debt-reporting") -> str:
    """What the reporting service holds: a client-credentials token of its own Keycloak client."""
    answer = httpx.post(f"{keycloak.issuer}/protocol/openid-connect/token", data={"grant_type": "client_credentials"},
                        auth=(client_id, keycloak.secrets.clients[client_id]), timeout=10)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def register(registration: RunningService, token_for: Token, body: Callable[..., Body], n: int) -> str:
    with registration.client(token_for(f"citizen:{citizen_id(n)}")) as citizen:
        created = citizen.post("/api/v1/registrations", json=body())
    assert created.status_code == 201, created.text
    case_id: str = created.json()["case_id"]
    return case_id


def work(registration: RunningService, token_for: Token, persona: str, case_id: str, path: str,
         values: dict[str, Any]) -> dict[str, Any]:
    with registration.client(token_for(persona)) as officer:
        revision = officer.get(f"/api/v1/casework/cases/{case_id}").json()["revision"]
        answer = officer.post(f"/api/v1/casework/cases/{case_id}{path}", json={"revision": revision, **values})
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def latest_events(db: Database[Any]) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for outbox in db["outbox"].find({"topic": "case-events"}).sort("seq", 1):
        latest[outbox["event"]["case_id"]] = outbox["event"]
    return latest


def read_export(registration: RunningService, token: str) -> tuple[httpx.Response, list[dict[str, Any]]]:
    with registration.client(token) as client:
        answer = client.get(EXPORT)
    lines = [json.loads(line) for line in answer.text.splitlines()] if answer.status_code == 200 else []
    return answer, lines


def test_the_reporting_service_reads_every_cases_figures_and_no_one_is_named(
    registration: RunningService, token_for: Token, body: Callable[..., Body], keycloak_server: KeycloakStack,
    registration_db: Database[Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = [register(registration, token_for, body, 8100 + n) for n in range(3)]
    work(registration, token_for, "district_officer:4701", cases[0], "/contacts",
         {"method": "phone", "result": "reached", "contacted_on": today()})
    work(registration, token_for, "district_officer:4701", cases[1], "/transfer", {"to_district_code": "4801"})
    work(registration, token_for, "district_officer:4801", cases[1], "/transfer/accept", {})
    monkeypatch.setattr(reading, "PAGE_SIZE", 2)  # three cases: two pages

    answer, lines = read_export(registration, service_token(keycloak_server))

    assert answer.status_code == 200 and answer.headers["content-type"] == "application/x-ndjson"
    head, *case_lines, end = lines
    assert head["kind"] == "export" and head["version"] == 1 and end == {"kind": "end", "cases": 3}
    assert sorted(line["case_id"] for line in case_lines) == sorted(cases)
    latest = latest_events(registration_db)
    for line in case_lines:
        event = latest[line["case_id"]]
        assert {k: line[k] for k in ("revision", "province_code", "district_code", "status", "facts")} == {
            k: event.get(k, 1) for k in ("revision", "province_code", "district_code", "status", "facts")}
    moved = next(line for line in case_lines if line["case_id"] == cases[1])
    assert (moved["district_code"], moved["revision"], moved["transfers"]) == ("4801", 3, [
        {"from_province_code": "47", "from_district_code": "4701", "to_province_code": "48",
         "to_district_code": "4801"}])
    contacted = next(line for line in case_lines if line["case_id"] == cases[0])
    assert contacted["facts"]["contacted"] is True and contacted["status"] == "contacting"
    for personal in (citizen_id(8100), citizen_id(8101), "สมศรี", "ใจดี", "เจ๊หน่อย", "0891112222", "99 หมู่ 3",
                     "47-25"):  # no ID, name, phone, address, nor receipt number
        assert personal not in answer.text


def test_dopa_may_read_it_and_officers_and_other_services_may_not(
    registration: RunningService, token_for: Token, body: Callable[..., Body], keycloak_server: KeycloakStack,
) -> None:
    register(registration, token_for, body, 8200)
    answer, lines = read_export(registration, token_for("dopa_admin"))
    assert answer.status_code == 200 and lines[-1] == {"kind": "end", "cases": 1}
    for persona in ("district_officer:4701", "province_officer:47", "registrar:4701", "auditor",
                    f"citizen:{citizen_id(8200)}"):
        refused, _ = read_export(registration, token_for(persona))
        assert refused.status_code == 403, persona
        assert refused.json()["detail"]["code"] == "figures.forbidden" and refused.json()["detail"]["th"]
    other_service, _ = read_export(registration, service_token(keycloak_server, "debt-notify"))
    assert other_service.status_code == 403
    with registration.client() as anonymous:
        assert anonymous.get(EXPORT).status_code == 401
