"""Found #2 and #3 of issue 8 over HTTP: a case grows only to its caps (docs/limits.md) through the API, every
creditor it may hold takes debts, and the pages answer a creditor number out of range with a page, not JSON."""

from __future__ import annotations

from collections.abc import Callable

from infra.dev.browser import DevBrowser
from infra.dev.testing import RunningService
from registration.kernel.limits import MAX_CREDITORS_PER_CASE

from .conftest import Body, citizen_id
from .pages_support import case_of, desk_register, new_citizen, text_of

Token = Callable[[str], str]
CREDITOR = {"kind": "unknown", "debts": [{"principal": "1,000", "outstanding": "1,000"}]}


def test_the_api_grows_a_case_to_the_creditor_cap_and_every_creditor_takes_debts(
        registration: RunningService, token_for: Token, body: Callable[..., Body]) -> None:
    with registration.client(token_for("registrar:4701")) as desk:
        sent = body("desk", citizen=citizen_id(880_001))
        sent["creditors"] = [CREDITOR] * 20
        created = desk.post("/api/v1/registrations", json=sent)
        assert created.status_code == 201, created.text
        case = created.json()["case_id"]
        for n in (20, MAX_CREDITORS_PER_CASE - 40):
            grown = desk.post(f"/api/v1/registrations/{case}/creditors", json={"creditors": [CREDITOR] * n})
            assert grown.status_code == 200, grown.text
        assert grown.json()["totals"]["creditor_count"] == MAX_CREDITORS_PER_CASE
        over = desk.post(f"/api/v1/registrations/{case}/creditors", json={"creditors": [CREDITOR]})
        assert over.status_code == 422 and "case.too_many_creditors" in over.text
        last = desk.post(f"/api/v1/registrations/{case}/creditors/{MAX_CREDITORS_PER_CASE}/debts",
                         json={"debts": CREDITOR["debts"]})
        assert last.status_code == 200, last.text
        assert last.json()["totals"]["debt_count"] == MAX_CREDITORS_PER_CASE + 1


def test_pages_answer_any_creditor_number_with_a_page(site: RunningService, browser: DevBrowser) -> None:
    browser.sign_in("registrar:1001", flow="staff", next_path="/desk")
    case = case_of(site, desk_register(browser, new_citizen()))
    for number in ("101", "0", "x", "9" * 400):
        page = browser.get(f"/desk/case/{case['_id']}/creditors/{number}/debts")
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html"), page.text[:300]
        assert "ไม่พบเจ้าหนี้ลำดับนี้" in page.text


def test_a_full_case_offers_no_addition_it_would_refuse(site: RunningService, browser: DevBrowser) -> None:
    browser.sign_in("registrar:1001", flow="staff", next_path="/desk")
    case = case_of(site, desk_register(browser, new_citizen()))
    creditors = list(case["creditors"]) * MAX_CREDITORS_PER_CASE  # type: ignore[call-overload]
    site.app.state.intake.cases.cases.update_one(  # as if grown one creditor at a time
        {"_id": case["_id"]}, {"$set": {"creditors": creditors,
                                        "totals.creditor_count": MAX_CREDITORS_PER_CASE}})
    page = browser.get(f"/desk/case/{case['_id']}")
    assert page.status_code == 200 and 'id="case-full"' in page.text
    links = [n for n in range(1, MAX_CREDITORS_PER_CASE + 2) if f"/creditors/{n}/debts\"" in page.text]
    assert links == list(range(1, MAX_CREDITORS_PER_CASE + 1))  # every creditor, and no number beyond
    assert "ครบจำนวนสูงสุดแล้ว" in text_of(page.text)
