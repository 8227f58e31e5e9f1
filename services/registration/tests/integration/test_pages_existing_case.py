"""Adding to an existing case from the pages: a desk that runs into an already-registered person (409) adds
the creditors it typed to that case (its own unit only), and citizens and desks add debts to a creditor
already on the case. CSRF, Thai labels, typed values kept on errors."""

from __future__ import annotations

import re

from infra.dev.browser import DevBrowser
from infra.dev.testing import RunningService

from .pages_support import case_of, desk_register, desk_review, new_citizen, register_self, text_of

NEW_DEBT = {"debts.0.principal": "3,000", "debts.0.outstanding": "3,500", "debts.0.interest_rate": "10",
            "debts.0.interest_period": "month", "debts.0.collateral": "atm_card"}


def test_a_desk_adds_what_it_typed_to_the_existing_case(site: RunningService, browser: DevBrowser) -> None:
    browser.sign_in("registrar:1001", flow="staff", next_path="/desk")
    cid = desk_register(browser, new_citizen())
    case = case_of(site, cid)
    # The person comes back with another lender; the officer starts a new registration without knowing.
    again = browser.post_form("/desk/submit", {}, page=desk_review(browser, cid))
    assert again.status_code == 409 and str(case["receipt_no"]) in again.text
    link = re.search(r'id="problem-link" href="([^"]+)"', again.text)
    assert link is not None and link[1] == f"/desk/case/{case['_id']}"
    assert "เพิ่มเจ้าหนี้และหนี้ในรายการเดิม" in again.text

    page = browser.get(link[1])
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "เจ้าหนี้ที่แจ้งไว้แล้ว" in shown and "สมหมาย" in shown  # the officer sees whose case it is
    assert 'value="เจ๊หมวย"' in page.text  # the creditor typed in the refused registration is offered here
    typo = browser.post_form(link[1], {"creditors.0.kind": "person", "creditors.0.name": "เจ๊หมวย",
                                       "creditors.0.debts.0.principal": "20,000",
                                       "creditors.0.debts.0.outstanding": "สองหมื่น"}, page=page.text)
    assert typo.status_code == 422 and 'value="สองหมื่น"' in typo.text and 'value="เจ๊หมวย"' in typo.text
    assert 'class="error-summary"' in typo.text
    saved = browser.post_form(link[1], {"creditors.0.kind": "person", "creditors.0.name": "เจ๊หมวย",
                                        "creditors.0.debts.0.principal": "20,000",
                                        "creditors.0.debts.0.outstanding": "15,000"}, page=typo.text)
    assert saved.status_code == 303 and saved.headers["location"] == f"{link[1]}?added=1"
    assert "บันทึกในรายการเดิมแล้ว" in browser.follow(saved).text
    stored = case_of(site, cid)
    assert stored["totals"]["creditor_count"] == 2 and stored["revision"] == 2  # type: ignore[index]


def test_only_the_cases_own_unit_may_add_to_it(site: RunningService, browser: DevBrowser) -> None:
    browser.sign_in("registrar:1001", flow="staff", next_path="/desk")
    case = case_of(site, desk_register(browser, new_citizen()))
    path = f"/desk/case/{case['_id']}"
    with DevBrowser(site.url) as elsewhere:
        elsewhere.sign_in("registrar:1002", flow="staff", next_path="/desk")
        assert elsewhere.get(path).status_code == 404
        assert elsewhere.get(f"{path}/creditors/1/debts").status_code == 404
        posted = elsewhere.post_form(path, {"creditors.0.kind": "unknown", "creditors.0.debts.0.principal": "1",
                                            "creditors.0.debts.0.outstanding": "1"}, page=elsewhere.get("/desk").text)
        assert posted.status_code == 404
    with DevBrowser(site.url) as province:
        province.sign_in("province_officer:10", flow="staff", next_path="/staff")
        assert province.get(path).status_code == 403  # reads cases, but the desk pages are not theirs
    with DevBrowser(site.url) as citizen:
        citizen.sign_in(f"citizen:{new_citizen()}")
        assert citizen.get(path).headers["location"].startswith("/auth/signin?flow=staff")
    assert case_of(site, str(case["citizen_id"]))["revision"] == 1


def test_another_units_desk_learns_no_receipt(site: RunningService, browser: DevBrowser) -> None:
    browser.sign_in("registrar:1001", flow="staff", next_path="/desk")
    cid = desk_register(browser, new_citizen())
    receipt = str(case_of(site, cid)["receipt_no"])
    with DevBrowser(site.url) as elsewhere:
        elsewhere.sign_in("registrar:1002", flow="staff", next_path="/desk")
        review = desk_review(elsewhere, cid, district="1002", subdistrict="100201")
        again = elsewhere.post_form("/desk/submit", {}, page=review)
    assert again.status_code == 409 and "ตรวจสอบสถานะได้เองทางแอป ThaiD" in again.text
    assert "หน่วยอื่น" not in again.text  # not even that the case is elsewhere, let alone where
    assert receipt not in again.text and 'id="problem-link"' not in again.text


def test_a_desk_adds_a_debt_to_a_creditor_already_on_the_case(site: RunningService, browser: DevBrowser) -> None:
    browser.sign_in("registrar:1001", flow="staff", next_path="/desk")
    case = case_of(site, desk_register(browser, new_citizen()))
    path = f"/desk/case/{case['_id']}/creditors/1/debts"
    page = browser.get(path)
    assert page.status_code == 200 and "เพิ่มหนี้ของเจ้าหนี้รายเดิม" in page.text and "เจ๊หมวย" in page.text
    added_row = browser.post_form(path, {**NEW_DEBT, "action": "add_debt:0"}, page=page.text)
    assert added_row.status_code == 303
    two_rows = browser.get(path).text
    assert 'name="debts.1.principal"' in two_rows and 'value="3,000"' in two_rows  # kept while adding a row
    saved = browser.post_form(path, {**NEW_DEBT, "debts.1.principal": "1,000", "debts.1.outstanding": "1,000"},
                              page=two_rows)
    assert saved.status_code == 303
    stored = case_of(site, str(case["citizen_id"]))
    assert [len(c["debts"]) for c in stored["creditors"]] == [3]  # type: ignore[attr-defined]
    assert browser.get(f"/desk/case/{case['_id']}/creditors/2/debts").status_code == 404


def test_a_citizen_adds_a_debt_to_a_creditor_already_on_their_case(site: RunningService,
                                                                   browser: DevBrowser) -> None:
    cid = new_citizen()
    assert register_self(browser, cid).status_code == 200
    more = browser.get("/register/more")
    assert 'href="/register/more/creditors/1/debts"' in more.text
    path = "/register/more/creditors/1/debts"
    page = browser.get(path)
    assert page.status_code == 200 and "เงินต้นที่กู้ (บาท)" in page.text and "Add debts owed" not in page.text
    assert browser.post(path, data=NEW_DEBT).status_code == 403  # no CSRF token
    wrong = browser.post_form(path, {**NEW_DEBT, "debts.0.principal": "3,000.555"}, page=page.text)
    assert wrong.status_code == 422 and "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง" in wrong.text
    assert 'value="3,000.555"' in wrong.text and 'value="3,500"' in wrong.text
    assert 'value="atm_card" checked' in wrong.text
    english = browser.get(f"{path}?lang=en")
    assert "Add debts owed to a creditor" in english.text
    saved = browser.post_form(path, NEW_DEBT, page=wrong.text)
    assert saved.status_code == 303 and saved.headers["location"] == "/register/status?added=1"
    stored = case_of(site, cid)
    assert stored["totals"] == {"creditor_count": 1, "debt_count": 2, "principal_satang": 2_300_000,
                                "outstanding_satang": 1_900_050}
    assert browser.get("/register/more/creditors/9/debts").status_code == 404
