"""Reading and changing a case: who may, the audit record of each attempt, CaseUpdated with revision and totals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pymongo.database import Database

from infra.dev.testing import RunningService

from .conftest import Body, citizen_id

Token = Callable[[str], str]
OWNER = citizen_id(500)
# A desk case of unit 4701 in district 4701, province 47.
READERS = {
    f"citizen:{OWNER}": 200, f"citizen:{citizen_id(501)}": 404,
    "registrar:4701": 200, "registrar:4702": 404, "registrar:4801": 404, "registrar:47": 200,
    "district_officer:4701": 200, "district_officer:4702": 404,
    "province_officer:47": 200, "province_officer:48": 404, "dopa_admin": 200, "auditor": 404,
}
CHANGERS = {
    f"citizen:{OWNER}": 200, f"citizen:{citizen_id(501)}": 404,
    "registrar:4701": 200, "registrar:4702": 404, "district_officer:4701": 200,
    "province_officer:47": 403, "province_officer:48": 404, "dopa_admin": 403, "auditor": 404,
}
NEW_CREDITOR: Body = {"creditors": [{"kind": "business", "name": "ร้านทองสมใจ", "debts": [
    {"principal": "1,000.50", "outstanding": "1,200", "interest_rate": "1.25", "interest_period": "month"}]}]}


@pytest.fixture
def desk_case(registration: RunningService, token_for: Token, body: Callable[..., Body]) -> dict[str, Any]:
    with registration.client(token_for("registrar:4701")) as desk:
        created = desk.post("/api/v1/registrations", json=body("desk", citizen=OWNER))
    assert created.status_code == 201, created.text
    result: dict[str, Any] = created.json()
    return result


def _audits(db: Database[Any]) -> list[dict[str, Any]]:
    return [o["event"] for o in db["outbox"].find({"topic": "audit-events"}).sort("seq", 1)]


def test_only_the_owner_and_staff_covering_the_case_can_read_it(
    registration: RunningService, registration_db: Database[Any], token_for: Token, desk_case: dict[str, Any]
) -> None:
    receipt = desk_case["receipt_no"]
    for persona, expected in READERS.items():
        with registration.client(token_for(persona)) as api:
            response = api.get(f"/api/v1/registrations/{receipt}")
        assert response.status_code == expected, persona
        if expected == 404:
            assert "debtor" not in response.text and OWNER not in response.text
    reads = [a for a in _audits(registration_db) if a["action"] == "case.read"]
    assert [a["outcome"] for a in reads] == ["allowed" if s == 200 else "denied" for s in READERS.values()]
    assert {a["case_id"] for a in reads} == {desk_case["case_id"]}
    assert all(a["source_ip"] == "127.0.0.1" and a["actor_sub"] and a["service"] == "registration" for a in reads)


def test_a_receipt_can_be_typed_as_heard(
    registration: RunningService, token_for: Token, desk_case: dict[str, Any]
) -> None:
    spoken = desk_case["receipt_no"].replace("-", " ").translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    with registration.client(token_for(f"citizen:{OWNER}")) as api:
        assert api.get(f"/api/v1/registrations/{spoken}").json()["case_id"] == desk_case["case_id"]
        assert api.get("/api/v1/registrations/47-2569-999999").status_code == 404


def test_adding_creditors_writes_case_updated_and_audit_together(
    registration: RunningService, registration_db: Database[Any], token_for: Token, desk_case: dict[str, Any]
) -> None:
    case_id = desk_case["case_id"]
    for persona, expected in CHANGERS.items():
        with registration.client(token_for(persona)) as api:
            response = api.post(f"/api/v1/registrations/{case_id}/creditors", json=NEW_CREDITOR)
        assert response.status_code == expected, (persona, response.text)
    changed = [c for c in CHANGERS.values() if c == 200]
    case = registration_db["cases"].find_one({"_id": case_id})
    assert case is not None and case["revision"] == 1 + len(changed)
    assert len(case["creditors"]) == 2 + len(changed)
    assert case["creditors"][-1]["debts"][0]["excessive_interest"] is False  # 1.25%/month is exactly the cap
    updates = [o["event"] for o in registration_db["outbox"].find({"event.event_type": "CaseUpdated"}).sort("seq", 1)]
    assert [u["revision"] for u in updates] == list(range(2, 2 + len(changed)))
    assert updates[-1]["creditor_count"] == 2 + len(changed)
    assert updates[-1]["principal_satang"] == 2_500_000 + 100_050 * len(changed)
    assert updates[-1]["outstanding_satang"] == 3_100_050 + 120_000 * len(changed)
    assert updates[-1]["change"] == "creditors_added" and OWNER not in str(updates)
    outcomes = [a["outcome"] for a in _audits(registration_db) if a["action"] == "case.update"]
    assert outcomes == ["allowed" if s == 200 else "denied" for s in CHANGERS.values()]


def test_adding_debts_to_a_creditor(
    registration: RunningService, registration_db: Database[Any], token_for: Token, desk_case: dict[str, Any]
) -> None:
    case_id = desk_case["case_id"]
    debt = {"principal": "3000", "outstanding": "3000", "interest_rate": "0.05", "interest_period": "day"}
    with registration.client(token_for(f"citizen:{OWNER}")) as api:
        added = api.post(f"/api/v1/registrations/{case_id}/creditors/2/debts", json={"debts": [debt]})
        missing = api.post(f"/api/v1/registrations/{case_id}/creditors/9/debts", json={"debts": [debt]})
        empty = api.post(f"/api/v1/registrations/{case_id}/creditors/1/debts", json={"debts": []})
        invalid = api.post(f"/api/v1/registrations/{case_id}/creditors", json={"creditors": [{"debts": [
            {"principal": "-5", "outstanding": "1"}]}]})
    assert added.status_code == 200, added.text
    assert added.json()["totals"] == {"creditor_count": 2, "debt_count": 3, "principal_satang": 2_800_000,
                                      "outstanding_satang": 3_400_050}
    assert added.json()["revision"] == 2 and added.json()["excessive_interest"] is True
    assert missing.status_code == 404 and empty.status_code == 422
    assert invalid.json()["errors"] == [{"field": "creditors.0.debts.0.principal", "code": "money.negative",
                                         "th": "จำนวนเงินต้องไม่ติดลบ", "en": "The amount cannot be negative."}]
    case = registration_db["cases"].find_one({"_id": case_id})
    assert case is not None and case["creditors"][1]["debts"][-1]["excessive_interest"] is True  # 18.25%/year
    update = registration_db["outbox"].find_one({"event.event_type": "CaseUpdated"})
    assert update is not None and update["event"]["change"] == "debts_added"


def test_registration_is_audited_with_the_case(
    registration: RunningService, registration_db: Database[Any], token_for: Token, body: Callable[..., Body],
    desk_case: dict[str, Any],
) -> None:
    with registration.client(token_for(f"citizen:{citizen_id(502)}")) as stranger:
        assert stranger.post("/api/v1/registrations", json=body(citizen=OWNER)).status_code == 403
    creates = [a for a in _audits(registration_db) if a["action"] == "case.create"]
    assert [(a["outcome"], a["case_id"], a["actor_roles"]) for a in creates] == [
        ("allowed", desk_case["case_id"], ["registrar"]), ("denied", None, ["citizen"])]
    assert creates[0]["actor_unit_code"] == "4701"
