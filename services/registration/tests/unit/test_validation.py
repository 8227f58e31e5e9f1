"""validate_registration: the one place where a submitted form becomes a case or Thai field errors."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from registration.cases.model import Channel, NewCase
from registration.intake.schemas import CreditorsRequest
from registration.intake.validation import DeskOfficer, VerifiedIdentity, validate_creditors, validate_registration
from registration.kernel.thai import FieldError

TODAY = date(2026, 12, 1)
DESK = DeskOfficer("4701", "officer-sub")
BODY: dict[str, Any] = {
    "channel": "desk",
    "debtor": {
        "citizen_id": "๑ ๑๐๑๗ ๐๐๒๓๐ ๗๐ ๘", "title": "นาย", "given_name": "  สมชาย  ", "family_name": "ทดสอบ",
        "birth_date": "01/02/2530", "phone": "+66 81 234 5678",
        "address": {"line": "1 หมู่ 2", "subdistrict_code": "470101", "district_code": "4701", "province_code": "47"},
        "monthly_income": 12000.5,
    },
    "creditors": [{"kind": "person", "debts": [
        {"principal": "฿10,000", "outstanding": 0.1, "interest_rate": "10", "interest_period": "month",
         "collateral": ["land_title", "land_title"]}]}],
    "help_wanted": ["mediation", "refinancing", "mediation"],
    "privacy_acknowledged": True,
}


def body(**changes: Any) -> dict[str, Any]:
    b = copy.deepcopy(BODY)
    b.update(changes)
    return b


def codes(result: NewCase | list[FieldError]) -> dict[str | None, str]:
    assert isinstance(result, list), result
    assert all(e.th and e.en for e in result)
    return {e.field: e.code for e in result}


def test_a_desk_form_becomes_a_case_with_canonical_values() -> None:
    case = validate_registration(body(), today=TODAY, desk=DESK)
    assert isinstance(case, NewCase)
    d = case.debtor
    assert (d.citizen_id, d.given_name, d.phone, d.birth_date) == ("1101700230708", "สมชาย", "+66812345678",
                                                                    date(1987, 2, 1))
    assert d.monthly_income_satang == 1_200_050 and d.address.district_code == "4701"
    debt = case.creditors[0].debts[0]
    assert (debt.principal_satang, debt.outstanding_satang, debt.repaid_satang) == (1_000_000, 10, 0)
    assert debt.collateral == ("land_title",) and debt.excessive_interest and case.excessive_interest
    assert case.help_wanted == ("mediation", "refinancing")
    assert (case.channel, case.unit_code, case.officer_sub) == (Channel.DESK, "4701", "officer-sub")


def test_the_verified_identity_wins_over_what_was_typed() -> None:
    identity = VerifiedIdentity("3100600445631", "มานี", "มีนา", date(1990, 5, 5))
    case = validate_registration(body(channel="self_online"), today=TODAY, identity=identity)
    assert isinstance(case, NewCase)
    assert (case.citizen_id, case.debtor.given_name, case.debtor.family_name) == ("3100600445631", "มานี", "มีนา")
    assert case.debtor.birth_date == date(1990, 5, 5) and case.unit_code is None


def test_self_registration_may_leave_out_what_the_identity_provides() -> None:
    b = body(channel="thaid_app")
    for key in ("citizen_id", "given_name", "family_name", "birth_date"):
        del b["debtor"][key]
    assert isinstance(validate_registration(b, today=TODAY, identity=VerifiedIdentity("3100600445631", "ก", "ข")),
                      NewCase)
    b["channel"] = "desk"
    assert codes(validate_registration(b, today=TODAY, desk=DESK)) == {
        "debtor.citizen_id": "citizen_id.required", "debtor.given_name": "given_name.required",
        "debtor.family_name": "family_name.required", "debtor.birth_date": "birth_date.required"}


def test_every_problem_is_reported_at_once() -> None:
    b = body(help_wanted=["other"], privacy_acknowledged=False)
    b["debtor"].update(phone="", birth_date="2600-01-01", monthly_income="12.345")
    b["debtor"]["address"].update(province_code="48", line=" ", postal_code="123")
    b["creditors"][0]["debts"][0].update(interest_period=None, start_date="31/02/2024", repaid="abc")
    b["creditors"].append({"phone": "12345", "debts": []})
    assert codes(validate_registration(b, today=TODAY, desk=DESK)) == {
        "debtor.phone": "phone.required",
        "debtor.birth_date": "date.future",
        "debtor.monthly_income": "money.precision",
        "debtor.address.district_code": "district.not_in_province",
        "debtor.address.line": "address.required",
        "debtor.address.postal_code": "postal_code.format",
        "creditors.0.debts.0.interest_period": "interest_period.required",
        "creditors.0.debts.0.start_date": "date.invalid",
        "creditors.0.debts.0.repaid": "money.format",
        "creditors.1.phone": "phone.length",
        "creditors.1.debts": "debts.required",
        "help_other": "help_other.required",
        "privacy_acknowledged": "privacy.required",
    }


def test_paper_forms_need_their_number_and_a_past_date_received() -> None:
    assert codes(validate_registration(body(channel="paper", paper_received_on="2027-01-01"), today=TODAY,
                                       desk=DESK)) == {"paper_form_no": "paper_form_no.required",
                                                       "paper_received_on": "date.future"}
    case = validate_registration(body(channel="paper", paper_form_no=" P-12 ", paper_received_on="๑/๑๒/๒๕๖๙"),
                                 today=TODAY, desk=DESK)
    assert isinstance(case, NewCase) and (case.paper_form_no, case.paper_received_on) == ("P-12", date(2026, 12, 1))
    desk_case = validate_registration(body(paper_form_no="P-12"), today=TODAY, desk=DESK)
    assert isinstance(desk_case, NewCase) and desk_case.paper_form_no is None  # only paper keeps a form number


@pytest.mark.parametrize(("raw", "code"), [
    (1e20, "money.format"), (-1, "money.negative"), (True, "field.text"), ("1,23", "money.format"),
])
def test_money_in_json_numbers_is_exact_or_refused(raw: object, code: str) -> None:
    b = body()
    b["creditors"][0]["debts"][0]["principal"] = raw
    assert codes(validate_registration(b, today=TODAY, desk=DESK)) == {"creditors.0.debts.0.principal": code}


def test_shape_errors_from_a_plain_dict_are_named_like_the_json_fields() -> None:
    b = body(channel="fax", extra_field=1)
    b["creditors"][0]["kind"] = "gangster"
    b["creditors"][0]["debts"][0]["collateral"] = ["kidney"]
    assert codes(validate_registration(b, today=TODAY)) == {
        "channel": "field.choice", "extra_field": "field.unknown", "creditors.0.kind": "field.choice",
        "creditors.0.debts.0.collateral.0": "field.choice"}


def test_creditors_to_add_are_validated_alike() -> None:
    assert codes(validate_creditors(CreditorsRequest(), today=TODAY)) == {"creditors": "creditors.required"}
    request = CreditorsRequest.model_validate({"creditors": [{"debts": [{"principal": "5", "outstanding": "5"}]}]})
    added = validate_creditors(request, today=TODAY)
    assert not isinstance(added, list) and added[0].debts[0].principal_satang == 500
