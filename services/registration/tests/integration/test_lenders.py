"""The same lender across debtors, on the dev stack: three debtors in 4701 and one in 4702 name one lender's
phone, each spelling the name differently. Who sees what (district, province, the other district), and that
each view of the list is audited. Also: a lender known only by the instalment schedule is flagged."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from contracts.claims import Claims, Role
from infra.dev.browser import DevBrowser
from infra.dev.testing import RunningService
from registration.cases.case import Case
from registration.cases.events import Actor
from registration.casework.lenders import CasePanel, Lenders
from registration.kernel.interest import InstalmentSchedule

from .conftest import citizen_id
from .pages_support import new_citizen, text_of

Token = Callable[[str], str]
PHONE_KEY = "phone:+66891234567"
# One lender, four spellings of their name and number.
SPELLINGS = [("4701", "เจ๊แดง", "089-123-4567"), ("4701", "นางแดง ใจร้าย", "๐๘๙ ๑๒๓ ๔๕๖๗"),
             ("4701", "เจ๊ แดง", "+66 89 123 4567"), ("4702", "แดง", "0891234567")]
SHARK_DEBT = {"principal": "10,000", "outstanding": "6,000", "instalment": "500", "instalment_frequency": "daily",
              "instalment_count": "24"}  # no stated rate: 20 % in 24 days


def _desk_body(n: int, district: str, name: str, phone: str) -> dict[str, Any]:
    return {
        "channel": "desk",
        "debtor": {"citizen_id": citizen_id(9_000 + n), "given_name": f"ลูกหนี้{n}", "family_name": "ทดสอบ",
                   "birth_date": "1980-01-01", "phone": "0812345678",
                   "address": {"line": f"{n} หมู่ 1", "subdistrict_code": district + "01", "district_code": district,
                               "province_code": "47"}},
        "creditors": [{"kind": "person", "name": name, "phone": phone, "debts": [SHARK_DEBT]}],
        "help_wanted": ["mediation"], "privacy_acknowledged": True,
    }


@pytest.fixture(scope="module")
def registered(site: RunningService, token_for: Token) -> list[dict[str, Any]]:
    """The four cases, registered at their districts' desks."""
    created = []
    for n, (district, name, phone) in enumerate(SPELLINGS):
        with site.client(token_for(f"district_officer:{district}")) as api:
            answer = api.post("/api/v1/registrations", json=_desk_body(n, district, name, phone))
        assert answer.status_code == 201, answer.text
        created.append({**answer.json(), "district": district})
    return created


def _lenders(site: RunningService) -> Lenders:
    lenders: Lenders = site.app.state.lenders
    return lenders


def _case(site: RunningService, case_id: str) -> Case:
    case: Case | None = site.app.state.cases.find(case_id)
    assert case is not None
    return case


def _claims(role: Role, unit: str | None) -> Claims:
    return Claims(sub=f"test-{role.value}-{unit}", roles=frozenset({role}), unit_code=unit)


def _panel(site: RunningService, case_id: str, claims: Claims) -> CasePanel | None:
    return _lenders(site).for_case(_case(site, case_id), claims)


def _lender_list_audits(site: RunningService) -> list[dict[str, Any]]:
    outbox = site.app.state.cases.outbox
    return [d["event"] for d in outbox.find({"event.action": "lender.list"}).sort("seq", 1)]


@pytest.fixture
def officer(site: RunningService) -> Iterator[Callable[[str], DevBrowser]]:
    browsers: list[DevBrowser] = []

    def sign_in(persona: str) -> DevBrowser:
        browser = DevBrowser(site.url)
        browser.sign_in(persona, flow="staff", next_path="/staff")
        browsers.append(browser)
        return browser

    yield sign_in
    for browser in browsers:
        browser.close()


def _row_of(html: str, receipt_or_district: str) -> str:
    """The text of the list's table row mentioning this receipt number or district name."""
    rows = [text_of(r) for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S)]
    found = [r for r in rows if receipt_or_district in r]
    assert found, rows
    return found[0]


def test_every_case_stores_its_lender_keys(site: RunningService, registered: list[dict[str, Any]]) -> None:
    for case in registered:
        stored = site.app.state.cases.cases.find_one({"_id": case["case_id"]})
        assert PHONE_KEY in stored["lender_keys"]
        assert any(k.startswith("name:แดง") for k in stored["lender_keys"])


def test_the_district_officer_sees_three_debtors_of_the_lender_with_receipts(
        site: RunningService, registered: list[dict[str, Any]], officer: Callable[[str], DevBrowser]) -> None:
    first, *_ = registered
    in_4701 = {c["receipt_no"] for c in registered if c["district"] == "4701"}
    panel = _panel(site, first["case_id"], _claims(Role.DISTRICT_OFFICER, "4701"))
    assert panel is not None and panel.shows_receipts and not panel.shows_districts
    by_phone = next(k for k in panel.creditors[0].keys if k.key == PHONE_KEY)
    assert (by_phone.district_debtors, by_phone.province_debtors) == (3, 4)
    assert {r for r, _ in by_phone.receipts} == in_4701 - {first["receipt_no"]}  # the others, none of 4702

    page = officer("district_officer:4701").get("/casework/lenders")
    assert page.status_code == 200, page.text[:500]
    row = _row_of(page.text, first["receipt_no"])
    assert " 3 " in f" {row} " and all(r in row for r in in_4701)
    assert registered[3]["receipt_no"] not in page.text  # 4702's case is not in 4701's list
    assert "เจ๊แดง" in row and "089-123-4567" in row


def test_the_province_officer_sees_four_debtors_across_two_districts(
        site: RunningService, registered: list[dict[str, Any]], officer: Callable[[str], DevBrowser]) -> None:
    panel = _panel(site, registered[3]["case_id"], _claims(Role.PROVINCE_OFFICER, "47"))
    assert panel is not None and panel.shows_districts and not panel.shows_receipts
    by_phone = next(k for k in panel.creditors[0].keys if k.key == PHONE_KEY)
    assert by_phone.province_debtors == 4 and dict(by_phone.by_district) == {"4701": 3, "4702": 1}
    assert by_phone.receipts == ()

    province = _claims(Role.PROVINCE_OFFICER, "47")
    listed = _lenders(site).in_area(province, Actor.of(province.sub, ["province_officer"], "47"))
    phone_row = next(r for r in listed.lenders if r.key == PHONE_KEY)
    assert phone_row.debtors == 4 and phone_row.districts == [("4701", 3), ("4702", 1)]
    assert phone_row.excessive == 4 and phone_row.outstanding_satang == 4 * 600_000 and phone_row.receipts == []
    assert listed.lenders[0].key == PHONE_KEY  # most debtors first
    dopa = _claims(Role.DOPA_ADMIN, None)
    nationwide = _lenders(site).in_area(dopa, Actor.of(dopa.sub, ["dopa_admin"], None))
    assert nationwide.scope == ("nation", "TH") and nationwide.lenders[0].key == PHONE_KEY
    assert nationwide.lenders[0].debtors == 4 and not nationwide.shows_receipts

    page = officer("province_officer:47").get("/casework/lenders")
    assert page.status_code == 200, page.text[:500]
    assert not any(c["receipt_no"] in page.text for c in registered)  # counts per district, no receipts
    row = _row_of(page.text, "089-123-4567")
    assert " 4 " in f" {row} "
    narrowed = officer("province_officer:47").get("/casework/lenders?district=4702&min_debtors=1")
    assert narrowed.status_code == 200 and " 1 " in f" {_row_of(narrowed.text, '089-123-4567')} "
    assert officer("province_officer:47").get("/casework/lenders?district=1001").status_code == 403


def test_the_other_district_sees_only_its_own_debtor(
        site: RunningService, registered: list[dict[str, Any]], officer: Callable[[str], DevBrowser]) -> None:
    own = registered[3]
    panel = _panel(site, own["case_id"], _claims(Role.DISTRICT_OFFICER, "4702"))
    assert panel is not None and panel.shows_receipts
    by_phone = next(k for k in panel.creditors[0].keys if k.key == PHONE_KEY)
    assert by_phone.district_debtors == 1 and by_phone.receipts == ()  # 4701's receipts stay in 4701
    assert _panel(site, registered[0]["case_id"], _claims(Role.DISTRICT_OFFICER, "4702")) is None

    browser = officer("district_officer:4702")
    default = browser.get("/casework/lenders")
    assert default.status_code == 200 and own["receipt_no"] not in default.text  # one debtor is below 2
    page = browser.get("/casework/lenders?min_debtors=1&district=4701")  # asking for 4701 shows 4702 still
    assert page.status_code == 200
    row = _row_of(page.text, own["receipt_no"])
    assert " 1 " in f" {row} "
    assert not any(c["receipt_no"] in page.text for c in registered[:3])


def test_each_view_of_the_list_is_audited_and_others_are_refused(
        site: RunningService, registered: list[dict[str, Any]], officer: Callable[[str], DevBrowser]) -> None:
    before = len(_lender_list_audits(site))
    assert officer("district_officer:4701").get("/casework/lenders").status_code == 200
    registrar = officer("registrar:4701").get("/casework/lenders")
    assert registrar.status_code == 403 and "เจ้าหน้าที่อำเภอ" in registrar.text
    with DevBrowser(site.url) as anonymous:
        assert anonymous.get("/casework/lenders").status_code == 303
    audits = _lender_list_audits(site)[before:]
    assert [(a["actor_unit_code"], a["outcome"], a["target"]) for a in audits] == [
        ("4701", "allowed", "district:4701"), ("4701", "denied", None)]
    assert all(a["case_id"] is None and a["service"] == "registration" for a in audits)


def test_a_debt_known_only_by_its_schedule_is_flagged(site: RunningService, registered: list[dict[str, Any]],
                                                      token_for: Token) -> None:
    assert all(c["excessive_interest"] for c in registered)
    stored = site.app.state.cases.cases.find_one({"_id": registered[0]["case_id"]})
    debt = stored["creditors"][0]["debts"][0]
    schedule = InstalmentSchedule.of(1_000_000, 50_000, "daily", 24)
    assert schedule is not None
    assert debt["instalment_count"] == 24 and debt["interest_rate_bp"] is None
    assert debt["effective_bp_per_year"] == schedule.effective_bp_per_year and debt["excessive_interest"] is True
    assert stored["excessive_interest"] is True
    with site.client(token_for("district_officer:4701")) as api:
        shown = api.get(f"/api/v1/registrations/{registered[0]['receipt_no']}").json()["creditors"][0]["debts"][0]
    assert (shown["instalment_count"], shown["effective_bp_per_year"]) == (24, schedule.effective_bp_per_year)


def test_a_wrong_instalment_count_is_refused_in_thai(site: RunningService, token_for: Token) -> None:
    body = _desk_body(99, "4701", "เจ๊แดง", "0891234567")
    body["creditors"][0]["debts"][0]["instalment_count"] = "0"
    with site.client(token_for("district_officer:4701")) as api:
        answer = api.post("/api/v1/registrations", json=body)
    assert answer.status_code == 422, answer.text
    error = next(e for e in answer.json()["errors"] if e["field"] == "creditors.0.debts.0.instalment_count")
    assert error["code"] == "instalment_count.range" and "จำนวนงวด" in error["th"]


def test_the_debt_form_asks_for_the_number_of_instalments(site: RunningService) -> None:
    with DevBrowser(site.url) as browser:
        browser.sign_in(f"citizen:{new_citizen()}", next_path="/register/step/creditors")
        page = browser.get("/register/step/creditors")
    assert page.status_code == 200, page.text[:500]
    assert 'name="creditors.0.debts.0.instalment_count"' in page.text and "จำนวนงวด" in page.text


def test_a_creditor_added_later_is_cross_referenced_too(site: RunningService, registered: list[dict[str, Any]],
                                                         token_for: Token) -> None:
    own = registered[3]
    added = {"creditors": [{"kind": "person", "name": "เสี่ยโต้ง", "phone": "0898887777",
                            "debts": [{"principal": "1,000", "outstanding": "1,000"}]}]}
    with site.client(token_for("district_officer:4702")) as api:
        answer = api.post(f"/api/v1/registrations/{own['case_id']}/creditors", json=added)
    assert answer.status_code == 200, answer.text
    stored = site.app.state.cases.cases.find_one({"_id": own["case_id"]})
    assert {"phone:+66898887777", "name:โต้ง", PHONE_KEY} <= set(stored["lender_keys"])
    panel = _panel(site, own["case_id"], _claims(Role.DISTRICT_OFFICER, "4702"))
    assert panel is not None and [c.number for c in panel.creditors] == [1, 2]
    assert [k.province_debtors for k in panel.creditors[1].keys] == [1, 1]  # nobody else names him
