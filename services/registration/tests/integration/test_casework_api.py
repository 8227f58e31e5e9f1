"""District casework over HTTP on the dev stack: a stale revision is refused and overwrites nothing, transfers
move a case between districts and provinces (both sides' views), every change's event carries the case's
revision and facts and fits its schema, and each action is allowed to exactly the officers it belongs to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from pymongo.database import Database

from contracts import codec
from infra.dev.testing import RunningService, wait_until
from registration.kernel.receipts import THAI_TIME

from .conftest import Body, citizen_id

Token = Callable[[str], str]
API = "/api/v1/casework"
OFFICER_4701 = "district_officer:4701"
PERSONAS = ("registrar:4701", "registrar:4702", "district_officer:4701", "district_officer:4702",
            "district_officer:4801", "province_officer:47", "province_officer:48", "dopa_admin", "auditor")


class Api:
    """Requests as one persona or another, with a client per persona kept open for the test."""

    def __init__(self, service: RunningService, token_for: Token) -> None:
        self.service, self.token_for = service, token_for
        self.clients: dict[str, Any] = {}

    def __call__(self, persona: str, method: str, path: str, json: Any = None) -> Any:
        if persona not in self.clients:
            self.clients[persona] = self.service.client(self.token_for(persona))
        return self.clients[persona].request(method, f"{API}{path}", json=json)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


@pytest.fixture
def api(registration: RunningService, token_for: Token) -> Iterator[Api]:
    calls = Api(registration, token_for)
    yield calls
    calls.close()


@pytest.fixture
def new_case(registration: RunningService, token_for: Token, body: Callable[..., Body]) -> Callable[[int], str]:
    """A case registered online by citizen number ``n``, living in district 4701 (province 47)."""

    def register(n: int) -> str:
        with registration.client(token_for(f"citizen:{citizen_id(n)}")) as citizen:
            created = citizen.post("/api/v1/registrations", json=body())
        assert created.status_code == 201, created.text
        case_id: str = created.json()["case_id"]
        return case_id

    return register


def now_in_bangkok() -> str:
    return datetime.now(THAI_TIME).isoformat()  # to the microsecond: never before a registration just made


def case_events(db: Database[Any], case_id: str) -> list[dict[str, Any]]:
    return [o["event"] for o in db["outbox"].find({"topic": "case-events", "event.case_id": case_id,
                                                   "event.event_type": {"$ne": "CaseRegistered"}}).sort("seq", 1)]


def audits(db: Database[Any], case_id: str | None) -> list[dict[str, Any]]:
    return [o["event"] for o in db["outbox"].find({"topic": "audit-events", "event.case_id": case_id}).sort("seq", 1)]


def test_a_stale_revision_is_refused_in_thai_and_nothing_is_overwritten(
    api: Api, new_case: Callable[[int], str], registration_db: Database[Any]
) -> None:
    case_id = new_case(7001)
    seen = api(OFFICER_4701, "GET", f"/cases/{case_id}")
    assert seen.status_code == 200 and seen.json()["revision"] == 1
    first = api(OFFICER_4701, "POST", f"/cases/{case_id}/contacts",
                {"revision": 1, "method": "phone", "result": "reached",
                 "contacted_on": datetime.now(THAI_TIME).date().isoformat(), "note": "สะดวกช่วงเย็น"})
    assert first.status_code == 200, first.text
    assert (first.json()["revision"], first.json()["status"]["code"]) == (2, "contacting")
    # A second officer, still looking at revision 1, records a decision: refused, their entry is kept.
    second = api(OFFICER_4701, "POST", f"/cases/{case_id}/decision", {"revision": 1, "decision": "declined"})
    assert second.status_code == 409
    detail = second.json()["detail"]
    assert detail["code"] == "case.changed_meanwhile" and detail["revision"] == 2
    assert "มีผู้อื่นบันทึกเรื่องนี้ก่อนท่าน" in detail["th"] and "ยังอยู่ครบ" in detail["th"] and detail["en"]
    stored = registration_db["cases"].find_one({"_id": case_id})
    assert stored is not None and (stored["revision"], stored["decision"], len(stored["contacts"])) == (2, None, 1)
    assert stored["contacts"][0]["note"] == "สะดวกช่วงเย็น"
    assert [e["event_type"] for e in case_events(registration_db, case_id)] == ["CaseContacted"]
    assert [(a["action"], a["outcome"]) for a in audits(registration_db, case_id)][-3:] == [
        ("case.read", "allowed"), ("case.update", "allowed"), ("case.update", "denied")]
    # With the revision it now sees, the second officer's entry goes through.
    again = api(OFFICER_4701, "POST", f"/cases/{case_id}/decision", {"revision": 2, "decision": "declined"})
    assert again.status_code == 200 and again.json()["status"]["code"] == "declined"


def test_a_refused_move_and_bad_input_are_explained_in_thai(api: Api, new_case: Callable[[int], str]) -> None:
    case_id = new_case(7002)
    refused = api(OFFICER_4701, "POST", f"/cases/{case_id}/close", {"revision": 1, "reason": "resolved"})
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert detail["code"] == "casework.transition_refused" and detail["status"] == "new"
    assert detail["th"].startswith("ปิดเรื่องด้วยเหตุผล “ไกล่เกลี่ยสำเร็จ” ไม่ได้ เพราะเรื่องนี้อยู่ในสถานะ “ลงทะเบียนใหม่")
    invalid = api(OFFICER_4701, "POST", f"/cases/{case_id}/contacts",
                  {"revision": 1, "method": "phone", "result": "reached", "contacted_on": "2099-01-01"})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "contacted_on"
    assert invalid.json()["errors"][0]["code"] == "date.future"
    unknown = api(OFFICER_4701, "POST", f"/cases/{case_id}/contacts",
                  {"revision": 1, "method": "telepathy", "result": "reached", "contacted_on": "2025-01-01"})
    assert unknown.status_code == 422
    assert (unknown.json()["errors"][0]["field"], unknown.json()["errors"][0]["code"]) == ("method", "field.choice")


def test_every_change_publishes_an_event_with_revision_and_facts(
    api: Api, new_case: Callable[[int], str], registration_db: Database[Any]
) -> None:
    case_id = new_case(7003)
    today = datetime.now(THAI_TIME).date().isoformat()
    steps: list[tuple[str, dict[str, Any]]] = [
        ("/contacts", {"method": "official_letter", "result": "letter_sent", "contacted_on": today,
                       "letter_no": "มท 0310.1/55"}),
        ("/contacts", {"method": "phone", "result": "reached", "contacted_on": today}),
        ("/decision", {"decision": "wants_mediation"}),
        ("/mediation", {"scheduled_at": now_in_bangkok(), "place": "ห้องประชุมอำเภอ", "mediator": "ปลัดอำเภอ"}),
        ("/mediation/1/result", {"debtor_present": True, "creditor_present": True, "result": "agreement",
                                 "debt_before": "26,000", "debt_after": 18000, "instalment": "1,500",
                                 "interest_per_year": "10", "terms": "ผ่อน 12 งวด"}),
        ("/referrals", {"to": "police", "reason": "excessive_interest"}),
        ("/close", {"reason": "resolved"}),
        ("/reopen", {"note": "เจ้าหนี้ผิดข้อตกลง"}),
        ("/withdraw", {"note": "ลูกหนี้ขอยุติเรื่อง"}),
    ]
    revision = 1
    for path, values in steps:
        answer = api(OFFICER_4701, "POST", f"/cases/{case_id}{path}", {"revision": revision, **values})
        assert answer.status_code == 200, (path, answer.text)
        revision = answer.json()["revision"]
    events = case_events(registration_db, case_id)
    assert [e["event_type"] for e in events] == [
        "CaseContacted", "CaseContacted", "MediationDecisionRecorded", "MediationScheduled", "MediationConcluded",
        "CaseReferred", "CaseClosed", "CaseReopened", "CaseClosed"]
    assert [e["revision"] for e in events] == list(range(2, 11))
    assert [e["status"] for e in events] == ["contacting", "contacting", "wants_mediation", "in_mediation",
                                             "resolved", "resolved", "closed", "wants_mediation", "withdrawn"]
    for event in events:
        codec.validate_for_produce(event)  # against contracts/contracts/schemas/<type>/v1.json
        assert (event["province_code"], event["district_code"]) == ("47", "4701")
    concluded = events[4]
    assert (concluded["debt_before_satang"], concluded["debt_after_satang"], concluded["instalment_satang"],
            concluded["interest_bp_per_year"]) == (2_600_000, 1_800_000, 150_000, 1000)
    facts = events[6]["facts"]
    assert (facts["mediation_result"], facts["debt_before_satang"], facts["debt_after_satang"]) == (
        "agreement", 2_600_000, 1_800_000)
    assert facts["referrals"] == ["police"] and facts["closure_reason"] == "resolved" and facts["reached"] is True
    assert facts["outstanding_satang"] == 3_100_050 and facts["threatened"] is True
    assert events[-1]["reason"] == "withdrawn" and events[-1]["facts"]["closure_reason"] == "withdrawn"
    text = str(events)
    for personal in (citizen_id(7003), "สมศรี", "เจ๊หน่อย", "0812345678", "ผ่อน 12 งวด", "ปลัดอำเภอ"):
        assert personal not in text
    page = api(OFFICER_4701, "GET", f"/cases/{case_id}").json()
    assert [t["kind"] for t in page["timeline"]] == [e["event_type"] for e in events]
    assert all(t["by_unit"] == "4701" and t["by"] for t in page["timeline"])
    assert page["allowed_actions"] == ["reopen", "reopen.for_mediation", "transfer.refuse"]
    # The relay publishes them (the outbox marks each sent once the broker has it).
    assert wait_until(lambda: registration_db["outbox"].count_documents(
        {"event.case_id": case_id, "sent": False}) == 0, timeout=60)


def _transfer(api: Api, case_id: str, to: str) -> dict[str, Any]:
    requested = api(OFFICER_4701, "POST", f"/cases/{case_id}/transfer",
                    {"revision": 1, "to_district_code": to, "reason": "ลูกหนี้ย้ายไปอยู่กับบุตร"})
    assert requested.status_code == 200, requested.text
    answer: dict[str, Any] = requested.json()
    return answer


def test_a_transfer_within_the_province_seen_from_both_districts(
    api: Api, new_case: Callable[[int], str], registration_db: Database[Any]
) -> None:
    case_id = new_case(7004)
    pending = _transfer(api, case_id, "4702")
    assert pending["transfer"]["state"] == "pending" and pending["district_code"] == "4701"
    # Before accepting, both districts see it; the sender cannot accept for the receiver.
    assert api("district_officer:4702", "GET", f"/cases/{case_id}").json()["transfer"]["to_district_code"] == "4702"
    assert api(OFFICER_4701, "POST", f"/cases/{case_id}/transfer/accept", {"revision": 2}).status_code == 403
    accepted = api("district_officer:4702", "POST", f"/cases/{case_id}/transfer/accept", {"revision": 2})
    assert accepted.status_code == 200, accepted.text
    case = accepted.json()
    assert (case["province_code"], case["district_code"], case["transfer"]) == ("47", "4702", None)
    assert case["debtor"]["district_code"] == "4701"  # the address the debtor registered stays as it was
    assert case["transfers"][0]["state"] == "accepted" and case["transfers"][0]["from_district_code"] == "4701"
    # Now it is 4702's case: 4701 no longer sees nor works it; the province sees it in 4702.
    assert api(OFFICER_4701, "GET", f"/cases/{case_id}").status_code == 404
    assert api(OFFICER_4701, "POST", f"/cases/{case_id}/decision",
               {"revision": 3, "decision": "declined"}).status_code == 404
    assert api("province_officer:47", "GET", f"/cases/{case_id}").json()["district_code"] == "4702"
    worked = api("district_officer:4702", "POST", f"/cases/{case_id}/decision",
                 {"revision": 3, "decision": "wants_mediation"})
    assert worked.status_code == 200 and worked.json()["district_code"] == "4702"
    stored = registration_db["cases"].find_one({"_id": case_id})
    assert stored is not None and (stored["district_code"], stored["province_code"]) == ("4702", "47")
    events = case_events(registration_db, case_id)
    assert [(e["event_type"], e["district_code"]) for e in events] == [
        ("CaseTransferRequested", "4701"), ("CaseTransferred", "4702"), ("MediationDecisionRecorded", "4702")]
    moved = events[1]
    assert (moved["from_district_code"], moved["revision"]) == ("4701", 3)
    # Totals move with the case: the event carries the case's whole figures for the new district.
    assert (moved["facts"]["debt_count"], moved["facts"]["outstanding_satang"]) == (2, 3_100_050)
    for event in events:
        codec.validate_for_produce(event)


def test_a_transfer_across_provinces(api: Api, new_case: Callable[[int], str],
                                     registration_db: Database[Any]) -> None:
    case_id = new_case(7005)
    _transfer(api, case_id, "4801")
    assert api("province_officer:48", "GET", f"/cases/{case_id}").status_code == 404  # not theirs yet
    assert api("district_officer:4702", "POST", f"/cases/{case_id}/transfer/accept", {"revision": 2}).status_code == 404
    accepted = api("district_officer:4801", "POST", f"/cases/{case_id}/transfer/accept", {"revision": 2})
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["province_code"], accepted.json()["district_code"]) == ("48", "4801")
    assert api("province_officer:48", "GET", f"/cases/{case_id}").status_code == 200
    assert api("province_officer:47", "GET", f"/cases/{case_id}").status_code == 404
    moved = case_events(registration_db, case_id)[-1]
    assert (moved["province_code"], moved["from_province_code"], moved["from_district_code"]) == ("48", "47", "4701")
    codec.validate_for_produce(moved)


def test_a_refused_transfer_stays_home(api: Api, new_case: Callable[[int], str],
                                       registration_db: Database[Any]) -> None:
    case_id = new_case(7006)
    _transfer(api, case_id, "4702")
    refused = api("district_officer:4702", "POST", f"/cases/{case_id}/transfer/refuse",
                  {"revision": 2, "reason": "not_in_area", "note": "ไม่พบลูกหนี้ในพื้นที่"})
    assert refused.status_code == 200, refused.text
    assert (refused.json()["district_code"], refused.json()["transfer"]) == ("4701", None)
    assert refused.json()["transfers"][0]["refusal_reason"] == "not_in_area"
    assert api("district_officer:4702", "GET", f"/cases/{case_id}").status_code == 404
    event = case_events(registration_db, case_id)[-1]
    assert (event["event_type"], event["to_district_code"], event["district_code"]) == (
        "CaseTransferRefused", "4702", "4701")


# ---- authorization of each action, by unit and role ----

def _work_expectations(home: str) -> dict[str, int]:
    """A change to a case of district ``home``: its officers only; its overseers may read it (403)."""
    readers = {f"district_officer:{home}", f"province_officer:{home[:2]}", "dopa_admin"}
    return {p: 200 if p == f"district_officer:{home}" else 403 if p in readers else 404 for p in PERSONAS}


def _receive_expectations(home: str, to: str) -> dict[str, int]:
    readers = {f"district_officer:{home}", f"province_officer:{home[:2]}", "dopa_admin"}
    return {p: 200 if p == f"district_officer:{to}" else 403 if p in readers else 404 for p in PERSONAS}


def test_each_action_is_allowed_to_its_district_only(
    api: Api, new_case: Callable[[int], str], registration_db: Database[Any]
) -> None:
    case_id = new_case(7010)
    owner = f"citizen:{citizen_id(7010)}"
    today = datetime.now(THAI_TIME).date().isoformat()
    # (path, body, home district, receiving district or None) in an order that makes each step possible.
    steps: list[tuple[str, dict[str, Any], str, str | None]] = [
        ("/contacts", {"method": "phone", "result": "reached", "contacted_on": today}, "4701", None),
        ("/decision", {"decision": "wants_mediation"}, "4701", None),
        ("/mediation", {"scheduled_at": now_in_bangkok(), "place": "อำเภอ", "mediator": "ปลัดอำเภอ"}, "4701", None),
        ("/mediation/1", {"scheduled_at": now_in_bangkok(), "place": "ศาลาประชาคม"}, "4701", None),
        ("/mediation/1/cancellation", {"note": "ลูกหนี้ป่วย"}, "4701", None),
        ("/mediation", {"scheduled_at": now_in_bangkok(), "place": "อำเภอ", "mediator": "ปลัดอำเภอ"}, "4701", None),
        ("/mediation/2/result", {"debtor_present": True, "creditor_present": True, "result": "no_agreement",
                                 "debt_before": "26,000"}, "4701", None),
        ("/referrals", {"to": "legal_aid", "reason": "legal"}, "4701", None),
        ("/close", {"reason": "referred"}, "4701", None),
        ("/reopen", {"note": "ขอไกล่เกลี่ยใหม่"}, "4701", None),
        ("/withdraw", {}, "4701", None),
        ("/reopen", {"note": "กลับมาขอความช่วยเหลือ"}, "4701", None),
        ("/transfer", {"to_district_code": "4702"}, "4701", None),
        ("/transfer/refuse", {"reason": "already_handled"}, "4701", "4702"),
        ("/transfer", {"to_district_code": "4702"}, "4701", None),
        ("/transfer/accept", {}, "4701", "4702"),
        ("/transfer", {"to_district_code": "4801"}, "4702", None),
        ("/transfer/accept", {}, "4702", "4801"),
        ("/contacts", {"method": "home_visit", "result": "reached", "contacted_on": today}, "4801", None),
    ]
    revision = 1
    for path, values, home, to in steps:
        method = "PATCH" if path == "/mediation/1" else "POST"
        expected = _receive_expectations(home, to) if to else _work_expectations(home)
        expected[owner] = 404  # the debtor follows their case through the registration API, not casework
        allowed = next(p for p, status in expected.items() if status == 200)
        for persona, status in expected.items():
            if status == 200:
                continue
            answer = api(persona, method, f"/cases/{case_id}{path}", {"revision": revision, **values})
            assert answer.status_code == status, (path, persona, answer.text)
        stored = registration_db["cases"].find_one({"_id": case_id})
        assert stored is not None and stored["revision"] == revision, path  # no refusal changed anything
        answer = api(allowed, method, f"/cases/{case_id}{path}", {"revision": revision, **values})
        assert answer.status_code == 200, (path, allowed, answer.text)
        revision = answer.json()["revision"]
    assert revision == len(steps) + 1
    trail = audits(registration_db, case_id)
    denied = [a for a in trail if a["action"] == "case.update" and a["outcome"] == "denied"]
    assert len(denied) == len(steps) * len(PERSONAS)  # every refusal of every step is on record, with its case
    assert {role for a in denied for role in a["actor_roles"]} == {
        "registrar", "district_officer", "province_officer", "dopa_admin", "auditor", "citizen"}


def test_reading_a_case_is_limited_to_its_overseers_and_audited(
    api: Api, new_case: Callable[[int], str], registration_db: Database[Any]
) -> None:
    case_id = new_case(7011)
    readers = {"district_officer:4701", "province_officer:47", "dopa_admin"}
    for persona in (*PERSONAS, f"citizen:{citizen_id(7011)}"):
        answer = api(persona, "GET", f"/cases/{case_id}")
        assert answer.status_code == (200 if persona in readers else 404), persona
        if answer.status_code == 404:
            assert "สมศรี" not in answer.text
    with api.service.client() as anonymous:
        assert anonymous.get(f"{API}/cases/{case_id}").status_code == 401
    reads = [a for a in audits(registration_db, case_id) if a["action"] == "case.read"]
    assert [a["outcome"] for a in reads] == [
        "allowed" if p in readers else "denied" for p in (*PERSONAS, f"citizen:{citizen_id(7011)}")]


def test_bulk_assignment_reports_each_case(api: Api, new_case: Callable[[int], str],
                                           registration_db: Database[Any]) -> None:
    mine, elsewhere = new_case(7020), new_case(7021)
    _transfer(api, elsewhere, "4702")
    assert api("district_officer:4702", "POST", f"/cases/{elsewhere}/transfer/accept",
               {"revision": 2}).status_code == 200
    answer = api(OFFICER_4701, "POST", "/assignments", {"case_ids": [mine, elsewhere, "nope"],
                                                        "officer_sub": "officer-somchai"})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert [c["case_id"] for c in result["changed"]] == [mine] and result["changed"][0]["revision"] == 2
    assert {f["case_id"]: f["code"] for f in result["failed"]} == {elsewhere: "case.not_found",
                                                                   "nope": "case.not_found"}
    again = api(OFFICER_4701, "POST", "/assignments", {"case_ids": [mine], "officer_sub": "officer-somchai"})
    assert again.json() == {"changed": [], "unchanged": [mine], "failed": []}
    assert api("province_officer:47", "POST", "/assignments", {"case_ids": [mine], "officer_sub": None}
               ).status_code == 403
    stored = registration_db["cases"].find_one({"_id": mine})
    assert stored is not None and stored["assigned_to"] == "officer-somchai"
    assigned = case_events(registration_db, mine)[-1]
    assert assigned["event_type"] == "CaseAssigned" and assigned["assigned"] is True
    assert "officer-somchai" not in str(assigned)
