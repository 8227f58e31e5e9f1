"""The form engine's plain parts: which fields a step may take, row buttons, the payload, web settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from starlette.datastructures import FormData

from registration.intake.schemas import RegistrationRequest
from registration.web import forms
from registration.web.settings import WebSettings


def test_a_step_takes_only_its_own_fields() -> None:
    draft = forms.new_draft("self_online")
    posted = FormData([("debtor.phone", "0812345678"), ("debtor.given_name", "ปลอม"), ("help_wanted", "other"),
                       ("creditors.0.name", "x"), ("debtor.address.province_code", "47")])
    after = forms.read_step("contact", posted, draft, desk=False)
    assert after["debtor"]["phone"] == "0812345678" and after["debtor"]["address"]["province_code"] == "47"
    assert "given_name" not in after["debtor"] and after["help_wanted"] == []
    assert after["creditors"] == draft["creditors"]
    assert forms.read_step("person", posted, draft, desk=False) == {**draft, "debtor": {"address": {}}}
    assert forms.read_step("person", posted, draft, desk=True)["debtor"]["given_name"] == "ปลอม"


def test_creditor_rows_are_read_in_order_and_bounded() -> None:
    posted = FormData([("creditors.1.name", "B"), ("creditors.0.name", "A"), ("creditors.0.debts.0.principal", "1"),
                       ("creditors.0.debts.0.collateral", "id_card"), ("creditors.0.debts.0.threatened", "yes"),
                       ("creditors.99.name", "too many"), ("creditors.x.name", "junk")])
    creditors = forms.read_creditors(posted)
    assert [c["name"] for c in creditors] == ["A", "B"]
    assert creditors[0]["debts"][0]["collateral"] == ["id_card"] and creditors[0]["debts"][0]["threatened"] is True
    assert creditors[1]["debts"] == []


def test_row_buttons_add_and_remove_but_never_below_one() -> None:
    draft = forms.new_draft("desk")
    two = forms.apply_action("add_creditor", draft)
    assert len(two["creditors"]) == 2
    assert len(forms.apply_action("remove_creditor:0", draft)["creditors"]) == 1  # the last one stays
    assert len(forms.apply_action("add_debt:0", draft)["creditors"][0]["debts"]) == 2
    assert forms.apply_action("remove_debt:7:3", draft) == {**draft, "creditors": draft["creditors"]}


def test_payload_is_a_valid_request_shape_without_identity_fields() -> None:
    draft = forms.new_draft("self_online")
    draft["debtor"] = {"citizen_id": "1101700230708", "given_name": "x", "phone": "", "address": {"line": "1"}}
    draft["creditors"][0]["debts"][0]["interest_period"] = ""
    body = forms.payload(draft, desk=False)
    assert "citizen_id" not in body["debtor"] and "given_name" not in body["debtor"] and "draft_id" not in body
    request = RegistrationRequest.model_validate(body)
    assert request.creditors[0].debts[0].principal == "" and request.creditors[0].debts[0].interest_period is None


def test_step_of_each_error_field() -> None:
    assert forms.step_of("debtor.citizen_id") == "person"
    assert forms.step_of("paper_form_no") == "person"
    assert forms.step_of("debtor.address.district_code") == "contact"
    assert forms.step_of("creditors.0.debts.1.principal") == "creditors"
    assert forms.step_of("privacy_acknowledged") == "help"
    assert forms.step_of(None) == "review"


def test_production_needs_a_session_secret_and_an_https_public_url() -> None:
    with pytest.raises(ValidationError, match="REGISTRATION_SESSION_SECRET"):
        WebSettings(env="production", public_url="https://debt.example.go.th")
    with pytest.raises(ValidationError, match="https"):
        WebSettings(env="production", public_url="http://debt.example.go.th", session_secret="s" * 40)
    ok = WebSettings(env="production", public_url="https://debt.example.go.th", session_secret="s" * 40)
    assert ok.secure_cookies and ok.url("http://ignored/", "/register") == "https://debt.example.go.th/register"
    assert WebSettings().session_secret != WebSettings().session_secret  # dev: a random secret per process
    assert WebSettings().url("http://127.0.0.1:9001/", "/auth/callback") == "http://127.0.0.1:9001/auth/callback"
