"""Found #5, #7 and #8 of issue 8: input that cannot be real is refused with Thai field errors, a huge number is
called too long (not "too many items"), phones are stored in E.164 and shown the Thai way, token citizen IDs
are checksum-checked, and a desk outside a case's scope learns only what helps the person in front of it."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.claims import Claims
from registration.cases.docs import case_doc, case_from_doc
from registration.cases.model import Address, Channel, Debtor, NewCase
from registration.intake.schemas import CreditorsRequest
from registration.intake.use_cases import already_registered
from registration.intake.validation import DeskOfficer, parse_request, validate_creditors, validate_registration
from registration.kernel.thai import format_thai_phone
from registration.web import labels

TODAY = date(2026, 12, 1)
DESK = DeskOfficer("4701", "officer-sub")
BODY: dict[str, Any] = {
    "channel": "desk",
    "debtor": {"citizen_id": "1101700230708", "title": "นาย", "given_name": "สมชาย", "family_name": "ทดสอบ",
               "birth_date": "01/02/2530", "phone": "081-234-5678",
               "address": {"line": "1 หมู่ 2", "subdistrict_code": "470101", "district_code": "4701",
                           "province_code": "47", "postal_code": "๔๗๐๐๐"}},
    "creditors": [{"kind": "person", "name": "เจ๊หน่อย", "phone": "0891112222",
                   "debts": [{"principal": "1,000", "outstanding": "1,000"}]}],
    "help_wanted": ["mediation"],
    "privacy_acknowledged": True,
}


def errors_of(**debtor: Any) -> dict[str | None, str]:
    body = copy.deepcopy(BODY)
    body["debtor"].update(debtor)
    result = validate_registration(body, today=TODAY, desk=DESK)
    assert isinstance(result, list), "expected field errors"
    return {e.field: e.code for e in result}


@pytest.mark.parametrize("name", ["สม\x00ชาย", "สม\u200bชาย", "สมชาย\u200d", "\ufeffสมชาย", "สม\x1bชาย", "สม\u202eชาย",
                                  "สม\x0bชาย", "สม\ue000ชาย"])
def test_control_and_invisible_characters_in_names_are_refused(name: str) -> None:
    assert errors_of(given_name=name) == {"debtor.given_name": "text.invisible"}


@pytest.mark.parametrize("name", ["\u0e34\u0e48", "\u0301\u0302", "\u0e31", "123", "--", "\u0e48สมชาย"])
def test_a_name_needs_a_letter_and_cannot_start_with_a_mark(name: str) -> None:
    assert errors_of(family_name=name) == {"debtor.family_name": "name.no_letter"}


def test_other_free_text_is_refused_too_and_good_text_is_normalised() -> None:
    assert errors_of(occupation="ค้า\x00ขาย") == {"debtor.occupation": "text.invisible"}
    body = copy.deepcopy(BODY)
    body["creditors"][0].update(name="เจ๊\u200bหน่อย", address_or_area="ตลาด\x07สด")
    found = validate_creditors(CreditorsRequest.model_validate({"creditors": body["creditors"]}), today=TODAY)
    assert isinstance(found, list)
    assert {e.field: e.code for e in found} == {"creditors.0.name": "text.invisible",
                                                "creditors.0.address_or_area": "text.invisible"}
    body = copy.deepcopy(BODY)
    body["debtor"].update(given_name="  Jose\u0301 \t  Ma\u00a0Lee ", family_name="ใจ\nดี")
    case = validate_registration(body, today=TODAY, desk=DESK)
    assert not isinstance(case, list)
    assert (case.debtor.given_name, case.debtor.family_name) == ("José Ma Lee", "ใจ ดี")


def test_a_postal_code_must_belong_to_the_subdistrict() -> None:
    assert errors_of(address={**BODY["debtor"]["address"], "postal_code": "10200"}) == {
        "debtor.address.postal_code": "postal_code.not_in_subdistrict"}
    case = validate_registration(BODY, today=TODAY, desk=DESK)
    assert not isinstance(case, list) and case.debtor.address.postal_code == "47000"


def test_phones_are_stored_in_e164_and_shown_as_thai_people_write_them() -> None:
    assert errors_of(phone="051234567") == {"debtor.phone": "phone.unallocated"}  # passed the old prefix rule
    case = validate_registration(BODY, today=TODAY, desk=DESK)
    assert not isinstance(case, list)
    assert (case.debtor.phone, case.creditors[0].phone) == ("+66812345678", "+66891112222")
    assert labels.template_globals()["format_phone"](case.debtor.phone) == "081-234-5678"
    assert format_thai_phone("+6621234567") == "02-123-4567" and format_thai_phone("0812345678") == "081-234-5678"
    assert format_thai_phone(None) == "" and format_thai_phone("not a phone") == "not a phone"


@pytest.mark.parametrize("field", ["principal", "outstanding", "interest_rate"])
def test_a_400_digit_number_is_too_long_not_too_many_items(field: str) -> None:
    body = copy.deepcopy(BODY)
    body["creditors"][0]["debts"][0].update({field: int("9" * 400), "interest_period": "month"})
    errors = parse_request(body)
    assert isinstance(errors, list)
    assert [(e.field, e.code) for e in errors] == [(f"creditors.0.debts.0.{field}", "field.too_long")]
    assert "รายการ" not in errors[0].th and "items" not in errors[0].en


def test_a_long_number_that_fits_the_field_is_too_large() -> None:
    body = copy.deepcopy(BODY)
    body["creditors"][0]["debts"][0]["principal"] = int("9" * 30)
    result = validate_registration(body, today=TODAY, desk=DESK)
    assert isinstance(result, list) and [e.code for e in result] == ["money.too_large"]


def test_a_token_citizen_id_must_pass_the_checksum_like_a_typed_one() -> None:
    payload = {"sub": "u1", "realm_access": {"roles": ["citizen"]}, "citizen_id": "1101700230705"}  # bad check digit
    with pytest.raises(ValidationError):  # a ValueError: TokenVerifier turns it into a 401
        Claims.from_token_payload(payload)
    with pytest.raises(ValidationError):
        Claims.from_token_payload({**payload, "citizen_id": "9101700230704"})  # first digit 9
    assert Claims.from_token_payload({**payload, "citizen_id": "1101700230708"}).citizen_id == "1101700230708"


def test_a_desk_outside_the_cases_scope_learns_neither_where_nor_which_unit() -> None:
    debtor = Debtor("1101700230708", "สมชาย", "ทดสอบ", Address("1", "100101", "1001", "10"))
    existing = case_from_doc(case_doc("c-1", "10-2569-000001", "2569", NewCase(debtor, Channel.DESK, unit_code="1001"),
                                      datetime(2026, 11, 1, tzinfo=UTC), "test"))
    hidden = already_registered(existing, reveal=False).detail
    shown = " ".join((hidden["th"], hidden["en"]))
    assert "receipt_no" not in hidden and "case_id" not in hidden and "10-2569" not in shown
    assert "หน่วยอื่น" not in shown and "another unit" not in shown and "พระนคร" not in shown
    assert "ThaiD" in hidden["th"] and "ThaiD" in hidden["en"]
    assert already_registered(existing, reveal=True).detail["receipt_no"] == "10-2569-000001"
