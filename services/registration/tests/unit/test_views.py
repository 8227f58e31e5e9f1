"""The API answers from a typed ``Case`` with the same JSON, field for field, as it did from the stored document:
every field the stored layout carries reaches the response, none is dropped or renamed on the way."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from registration.cases.docs import Doc, case_doc, case_from_doc
from registration.intake.schemas import RegistrationOut
from registration.intake.validation import DeskOfficer, validate_registration
from registration.intake.views import case_changed, registration_out

BODY: dict[str, Any] = {
    "channel": "paper", "paper_form_no": "F-1", "paper_received_on": "01/11/2569",
    "debtor": {"citizen_id": "1101700230708", "title": "นาย", "given_name": "สมชาย", "family_name": "ทดสอบ",
               "birth_date": "01/02/2530", "phone": "0812345678", "occupation": "ค้าขาย", "monthly_income": "9,000",
               "address": {"line": "1 หมู่ 2", "subdistrict_code": "470101", "district_code": "4701",
                           "province_code": "47", "postal_code": "47000"}},
    "creditors": [
        {"kind": "person", "name": "เจ๊", "phone": "0898765432", "how_met": "other", "how_met_detail": "ตลาด",
         "debts": [{"principal": "10,000", "outstanding": "12,000", "start_date": "01/01/2569", "interest_rate": "20",
                    "interest_period": "month", "instalment": "500", "instalment_frequency": "daily", "repaid": "100",
                    "collateral": ["id_card", "other"], "collateral_other": "ทอง", "threatened": True},
                   {"principal": "1,000", "outstanding": "1,000"}]},
        {"kind": "unknown", "debts": [{"principal": "5", "outstanding": "5"}]},
    ],
    "help_wanted": ["mediation", "other"], "help_other": "หางาน", "privacy_acknowledged": True,
}


def stored() -> Doc:
    case = validate_registration(BODY, today=date(2026, 12, 1), desk=DeskOfficer("4701", "officer"))
    assert not isinstance(case, list), case
    return case_doc("c-1", "47-2569-000001", "2569", case, datetime(2026, 11, 30, 3, 4, 5, 123000, tzinfo=UTC), "v")


def from_document(doc: Doc) -> RegistrationOut:
    """The response as built from the stored document before cases were typed."""
    return RegistrationOut.model_validate({
        **{k: doc.get(k) for k in RegistrationOut.model_fields if k in doc}, "case_id": doc["_id"],
        "registered_at": doc["created_at"].isoformat(), "unit_code": doc.get("unit_code"),
        "officer_sub": doc.get("officer_sub"),
    })


def test_a_registration_reads_the_same_from_the_typed_case_as_from_the_stored_document() -> None:
    doc = stored()
    typed = registration_out(case_from_doc(doc)).model_dump_json()
    assert typed == from_document(doc).model_dump_json()
    assert '"interest_rate_bp":2000,"interest_period":"month"' in typed and '"birth_date":"1987-02-01"' in typed


def test_a_change_answers_with_the_case_after_it() -> None:
    doc = stored()
    changed = case_changed(case_from_doc(doc)).model_dump()
    assert changed == {"case_id": "c-1", "receipt_no": "47-2569-000001", "revision": 1,
                       "totals": doc["totals"], "excessive_interest": True}
