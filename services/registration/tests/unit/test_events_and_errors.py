from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from contracts import codec
from registration.cases.docs import case_doc, case_from_doc
from registration.cases.errors import Invalid, from_pydantic
from registration.cases.events import Actor, AuditAction, audit_recorded, case_registered, case_updated
from registration.cases.model import Address, Channel, Creditor, Debt, Debtor, NewCase

CASE = NewCase(
    debtor=Debtor("1101700230708", "สมชาย", "ทดสอบ", Address("1 หมู่ 2", "470101", "4701", "47"), phone="0812345678"),
    channel=Channel.DESK, unit_code="4701", officer_sub="officer",
    creditors=(Creditor((Debt(1_000_00, 1_500_00), Debt(50_00, 50_00)), name="เจ๊หน่อย"), Creditor((Debt(1, 2),))),
)


def test_case_events_carry_totals_status_facts_and_no_personal_data() -> None:
    case = case_from_doc(case_doc("c-1", "47-2569-000001", "2569", CASE, datetime.now(UTC), "test"))
    registered = case_registered(case)
    assert (registered["creditor_count"], registered["debt_count"]) == (2, 3)
    assert (registered["principal_satang"], registered["outstanding_satang"]) == (105_001, 155_002)
    assert registered["status"] == "new" and registered["facts"]["channel"] == "desk"
    assert registered["facts"]["outstanding_satang"] == 155_002 and registered["facts"]["contacted"] is False
    updated = case_updated(replace(case, revision=2), "creditors_added")
    assert updated["revision"] == 2 and updated["facts"] == registered["facts"]
    for event in (registered, updated):
        codec.encode("case-events", event)  # strict: would refuse an undeclared property
        text = json.dumps(event, ensure_ascii=False)
        assert "1101700230708" not in text and "สมชาย" not in text and "เจ๊หน่อย" not in text


def test_audit_records_name_the_actor_by_subject_and_fit_the_schema() -> None:
    actor = Actor.of("sub-" + "x" * 200, ["registrar"], "4701", "10.0.0.1", "r" * 100)
    event = audit_recorded(actor, AuditAction.READ, False, "c-1")
    codec.encode("audit-events", event)
    assert event["outcome"] == "denied" and event["action"] == "case.read" and len(event["actor_sub"]) == 128
    assert len(event["request_id"]) == 64 and event["actor_unit_code"] == "4701"


@pytest.mark.parametrize(("error", "field", "code", "th"), [
    ({"type": "missing", "loc": ("body", "debtor", "phone")}, "debtor.phone", "field.required", "กรุณากรอกข้อมูลนี้"),
    ({"type": "string_too_long", "loc": ("body", "creditors", 0, "name"), "ctx": {"max_length": 100}},
     "creditors.0.name", "field.too_long", "ข้อความยาวเกินไป (ไม่เกิน 100 ตัวอักษร)"),
    ({"type": "string_type", "loc": ("body", "debtor", "monthly_income", "function-before[_number_as_text(), str]")},
     "debtor.monthly_income", "field.text", "ข้อมูลช่องนี้ต้องเป็นข้อความ"),
    ({"type": "json_invalid", "loc": ("body", 7)}, "body", "body.json",
     "ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง (อาจไม่ครบหรือขาดหาย)"),
    ({"type": "something_new", "loc": ("header", "idempotency-key")}, "header.idempotency-key", "field.invalid",
     "ข้อมูลไม่ถูกต้อง"),
])
def test_pydantic_errors_become_thai_field_errors(error: dict[str, object], field: str, code: str, th: str) -> None:
    [converted] = from_pydantic([error])
    assert (converted.field, converted.code, converted.th) == (field, code, th)
    body = Invalid([converted]).body()
    assert body["errors"] == [{"field": field, "code": code, "th": th, "en": converted.en}]
    assert (body["detail"]["code"], body["detail"]["field"]) == ("request.invalid", field)
