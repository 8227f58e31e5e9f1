"""The debtor-contact API on the dev stack (issue #11): notify's own client-credentials token from the real
Keycloak reads a case's debtor phone (E.164) and nothing else about the person; every other caller is refused;
every read, allowed or refused, is an AuditRecorded ``case.read`` in the outbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pymongo.database import Database

from infra.dev.testing import KeycloakStack, RunningService

from .conftest import Body, citizen_id
from .test_figures_export_api import register, service_token

Token = Callable[[str], str]


def test_notify_reads_the_debtors_phone_and_nobody_else_does(
    registration: RunningService, registration_db: Database[Any], token_for: Token, body: Callable[..., Body],
    keycloak_server: KeycloakStack,
) -> None:
    case_id = register(registration, token_for, body, 8300)
    path = f"/api/v1/contacts/cases/{case_id}"
    with registration.client(service_token(keycloak_server, "debt-notify")) as notify:
        answer = notify.get(path)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"case_id": case_id, "district_code": "4701", "phone": "+66812345678",
                                 "line_user_id": None}
        assert notify.get("/api/v1/contacts/cases/c-NOSUCHCASE").status_code == 404
    with registration.client(service_token(keycloak_server, "debt-reporting")) as reporting:
        assert reporting.get(path).status_code == 403
    for persona in ("dopa_admin", "district_officer:4701", f"citizen:{citizen_id(8300)}"):
        with registration.client(token_for(persona)) as person:
            refused = person.get(path)
            assert refused.status_code == 403 and refused.json()["detail"]["code"] == "contacts.forbidden"
    with registration.client() as anonymous:
        assert anonymous.get(path).status_code == 401
    audits = [a["event"] for a in registration_db["outbox"].find(
        {"topic": "audit-events", "event.case_id": case_id, "event.action": "case.read"})]
    outcomes = sorted(a["outcome"] for a in audits)
    assert outcomes == ["allowed", "denied", "denied", "denied", "denied"], outcomes
