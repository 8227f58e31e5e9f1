"""Recognising one lender across debtors: name and phone normalisation, the keys a case stores, and how the
cross-reference adds up a lender's debtors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Environment, FileSystemLoader, select_autoescape

from registration import casework
from registration.cases.case import Case
from registration.cases.docs import case_doc, worklist_fields
from registration.cases.errors import Forbidden, NotFound
from registration.cases.model import Address, Channel, Creditor, Debt, Debtor, NewCase, totals_of
from registration.casework.lenders import (
    CasePanel,
    CreditorMatches,
    KeyMatches,
    LenderRow,
    _add_case,
    _area,
    _key_matches,
)
from registration.kernel.lender_keys import creditor_keys, lender_keys, lender_name, lender_phone
from registration.web import labels
from registration.web.context import TEMPLATES


@pytest.mark.parametrize("spelling", [
    "สมชาย ใจดี", "นายสมชาย ใจดี", "นาย สมชาย  ใจดี", "เฮียสมชาย ใจดี", "อาเฮีย สมชาย ใจดี", "คุณสมชาย ใจดี",
    " สมชาย\u00a0ใจดี ", "สมชาย-ใจดี", "สมชาย.ใจดี",
])
def test_spellings_of_one_name_give_one_key(spelling: str) -> None:
    assert lender_name(spelling) == "สมชายใจดี"


@pytest.mark.parametrize(("raw", "expected"), [
    ("เจ๊แดง", "แดง"), ("เจ้แดง", "แดง"), ("อาเจ๊ แดง", "แดง"), ("นางสาวสมศรี", "สมศรี"), ("น.ส.สมศรี", "สมศรี"),
    ("น.ส. สมศรี", "สมศรี"), ("นางสมศรี", "สมศรี"), ("คุณนายแดง", "แดง"), ("เสี่ยโต้ง", "โต้ง"),
    ("Mr. John SMITH", "johnsmith"), ("JOHN smith", "johnsmith"), ("แดง๙๙", "แดง99"), ("แดง99", "แดง99"),
    ("นายิกา", "นายิกา"),  # "นาย" followed by a vowel is a name, not a title
    ("ดรุณี", "ดรุณี"),
    ("กํา", "กำ"),  # NIKHAHIT + SARA AA typed for SARA AM
])
def test_titles_case_digits_and_thai_spelling_are_normalised(raw: str, expected: str) -> None:
    assert lender_name(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "  ", "ไม่ทราบ", "ไม่ทราบ ชื่อ", "ไม่รู้", "-", "ก", "นาย", "นางสาว", "เจ๊",
                                 "12345", "unknown", "..."])
def test_names_that_identify_no_one_give_no_key(raw: str | None) -> None:
    assert lender_name(raw) is None


@pytest.mark.parametrize("raw", ["0812345678", "081-234-5678", "๐๘๑ ๒๓๔ ๕๖๗๘", "+66 81 234 5678", "66812345678",
                                 "+66812345678"])
def test_phone_spellings_give_one_e164_number(raw: str) -> None:
    assert lender_phone(raw) == "+66812345678"


@pytest.mark.parametrize("raw", [None, "", "12", "not a phone", "+1 202 555 0100"])
def test_unusable_phones_give_no_key(raw: str | None) -> None:
    assert lender_phone(raw) is None


def test_a_creditors_keys_phone_first_then_name() -> None:
    assert creditor_keys(Creditor(name="เจ๊แดง", phone="081-234-5678")) == ("phone:+66812345678", "name:แดง")
    assert creditor_keys(Creditor(name="ไม่ทราบ")) == ()
    assert creditor_keys(Creditor(phone="0812345678")) == ("phone:+66812345678",)


def test_a_case_stores_its_creditors_keys_once_each_sorted() -> None:
    creditors = (Creditor(name="เจ๊แดง", phone="0812345678"), Creditor(name="แดง"), Creditor(name="นายโต้ง"),
                 Creditor())
    assert lender_keys(creditors) == ["name:แดง", "name:โต้ง", "phone:+66812345678"]


@given(st.text(max_size=40))
def test_a_name_key_is_stable_and_normalising_it_again_changes_nothing(raw: str) -> None:
    key = lender_name(raw)
    assert key == lender_name(raw)
    if key is not None:
        assert key and " " not in key and key == key.casefold()
        again = lender_name(key)
        assert again is None or len(again) <= len(key)


# ---- the stored case ----

def _debtor(district: str = "4701") -> Debtor:
    return Debtor("1101700230708", "สมศรี", "ใจดี", Address("1 หมู่ 1", district + "01", district, district[:2]))


def test_new_and_changed_cases_carry_lender_keys_for_the_index() -> None:
    creditors = (Creditor((Debt(100, 100),), name="เจ๊แดง", phone="0812345678"),)
    new = NewCase(_debtor(), Channel.DESK, creditors)
    doc = case_doc("c1", "47-1", "2569", new, datetime.now(UTC), "v1")
    assert doc["lender_keys"] == ["name:แดง", "phone:+66812345678"]
    now = datetime.now(UTC)
    case = Case("c1", "47-1", "2569", 2, Channel.DESK, "47", "4701", _debtor(), (*creditors, Creditor(name="โต้ง")),
                totals_of(creditors), now, now)
    assert worklist_fields(case)["lender_keys"] == ["name:แดง", "name:โต้ง", "phone:+66812345678"]


# ---- adding up a lender's debtors ----

def _stored(case_id: str, district: str, *creditors: dict[str, object]) -> dict[str, object]:
    return {"_id": case_id, "receipt_no": f"R-{case_id}", "district_code": district, "creditors": list(creditors)}


def test_a_lender_is_one_debtor_per_case_with_what_that_case_owes_them() -> None:
    key = "phone:+66812345678"
    rows = {key: LenderRow(key)}
    twice = _stored("a", "4701",
                    {"name": "เจ๊แดง", "phone": "0812345678", "debts": [
                        {"outstanding_satang": 1000, "excessive_interest": True, "threatened": False}]},
                    {"name": "แดง", "phone": "+66812345678", "debts": [
                        {"outstanding_satang": 500, "excessive_interest": False, "threatened": True}]},
                    {"name": "โต้ง", "phone": "0899999999", "debts": [{"outstanding_satang": 7}]})
    once = _stored("b", "4702", {"name": "แดง ใจร้าย", "phone": "081 234 5678", "debts": [
        {"outstanding_satang": 200, "excessive_interest": False, "threatened": False}]})
    _add_case(rows, twice, shows_receipts=True)
    _add_case(rows, once, shows_receipts=True)
    row = rows[key]
    assert (row.debtors, row.outstanding_satang, row.excessive, row.threatened) == (2, 1700, 1, 1)
    assert row.names == ["เจ๊แดง", "แดง", "แดง ใจร้าย"] and row.phones == ["0812345678", "+66812345678", "081 234 5678"]
    assert row.districts == [("4701", 1), ("4702", 1)] and row.receipts == [("R-a", "a"), ("R-b", "b")]


def test_the_case_panel_counts_this_case_and_shows_receipts_only_to_its_district() -> None:
    now = datetime.now(UTC)
    creditors = (Creditor(name="เจ๊แดง", phone="0812345678"),)
    case = Case("me", "R-me", "2569", 1, Channel.DESK, "47", "4701", _debtor(), creditors, totals_of(creditors),
                now, now)
    others = [{"_id": "a", "receipt_no": "R-a", "district_code": "4701", "lender_keys": ["phone:+66812345678"]},
              {"_id": "b", "receipt_no": "R-b", "district_code": "4702", "lender_keys": ["phone:+66812345678"]},
              {"_id": "c", "receipt_no": "R-c", "district_code": "4701", "lender_keys": ["name:แดง"]}]
    by_phone = _key_matches("phone:+66812345678", case, others, own_district=True)
    assert (by_phone.district_debtors, by_phone.province_debtors, by_phone.others) == (2, 3, 2)
    assert by_phone.by_district == (("4701", 2), ("4702", 1)) and by_phone.receipts == (("R-a", "a"),)
    assert _key_matches("phone:+66812345678", case, others, own_district=False).receipts == ()
    alone = _key_matches("name:โต้ง", case, others, own_district=True)
    assert (alone.district_debtors, alone.province_debtors, alone.others) == (1, 1, 0)


def test_who_lists_which_area() -> None:
    assert _area(("district", "4701"), "4702", None) == ("district", "4701")  # one's own, whatever is asked
    assert _area(("province", "47"), None, None) == ("province", "47")
    assert _area(("province", "47"), "4702", None) == ("district", "4702")
    assert _area(("nation", "TH"), None, "47") == ("province", "47")
    assert _area(("nation", "TH"), "4801", "47") == ("district", "4801")
    assert _area(("nation", "TH"), None, None) == ("nation", "TH")
    with pytest.raises(Forbidden):
        _area(("province", "47"), "4801", None)
    with pytest.raises(Forbidden):
        _area(None, None, None)
    with pytest.raises(NotFound):
        _area(("province", "47"), "4799", None)
    with pytest.raises(NotFound):
        _area(("nation", "TH"), None, "99")


# ---- the case page's panel ----

def _panel_env() -> Environment:
    env = Environment(loader=FileSystemLoader([TEMPLATES, Path(casework.__file__).parent / "templates"]),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(labels.template_globals())
    return env


def _render_panel(env: Environment, **values: object) -> str:
    return " ".join(env.get_template("lenders_panel.html").render(
        case=object(), tr=lambda th, en: th, lang="th", **values).split())


def test_the_panel_shows_counts_and_receipts_and_nothing_without_its_data() -> None:
    env = _panel_env()
    assert _render_panel(env) == ""  # an app without the lenders use case: the case page shows no panel
    by_phone = KeyMatches("phone:+66891234567", 3, 4, (("4701", 3), ("4702", 1)), (("47-2569-000002", "c2"),))
    panel = CasePanel("4701", "47", (CreditorMatches(1, "เจ๊แดง", "+66891234567",
                                                     (by_phone, KeyMatches("name:แดง", 1, 1))),),
                      shows_receipts=True, shows_districts=False)
    env.globals["lenders_for"] = lambda case: panel
    html = _render_panel(env)
    assert "เจ๊แดง · 089-123-4567" in html and "<b>3</b> รายในอำเภอนี้" in html and "<b>4</b> รายในจังหวัด" in html
    assert '<a href="/casework/cases/c2" class="nw">47-2569-000002</a>' in html
    assert "ไม่พบลูกหนี้รายอื่นในจังหวัด" in html  # the name matched no one else
    assert "กุสุมาลย์" not in html  # per-district counts are for province viewers
    env.globals["lenders_for"] = lambda case: replace(panel, shows_receipts=False, shows_districts=True)
    province_view = _render_panel(env)
    assert "กุสุมาลย์ 1" in province_view and "47-2569-000002" not in province_view
    env.globals["lenders_for"] = lambda case: None  # a viewer who may not read the case's casework
    assert _render_panel(env) == ""
