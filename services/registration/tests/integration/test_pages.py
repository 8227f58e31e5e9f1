"""The web pages over HTTP, without a browser: sign-in through the dev issuer, the step-by-step form, CSRF,
rate limits, receipts. The service runs in a real uvicorn server on the dev stack."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from infra.dev.browser import DevBrowser, csrf_in
from infra.dev.testing import KafkaUnderTest, KeycloakStack, RunningService

from .pages_support import CONTACT, CREDITORS, HELP, new_citizen, post_step, register_self, running_site, text_of


def test_a_citizen_registers_step_by_step_and_gets_a_printable_receipt(browser: DevBrowser) -> None:
    cid = new_citizen()
    receipt = register_self(browser, cid)
    assert receipt.status_code == 200, receipt.text[:2000]
    number = re.search(r'id="receipt-no">([0-9-]+)<', receipt.text)
    assert number and re.fullmatch(r"10-25[0-9]{2}-[0-9]{6}", number[1])
    page = text_of(receipt.text)
    assert "ใบรับลงทะเบียน ลูกหนี้นอกระบบ" in page and cid[:1] + "-" + cid[1:5] in page
    assert "15,500.50 บาท" in page  # money shown in baht with satang
    assert re.search(r"[0-9]{1,2} [ก-๙]+ 25[0-9]{2}", page)  # the date in the Buddhist era
    # Printable: a print stylesheet that keeps only the receipt, and the print button needs no inline script.
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in receipt.text
    print_css = browser.get("/static/print.css").text
    assert ".top" in print_css and "display: none" in print_css
    assert "<script>" not in receipt.text and "onclick" not in receipt.text
    assert "script-src 'self'" in receipt.headers["content-security-policy"]

    status = browser.get("/register/status")
    assert status.status_code == 200 and number[1] in status.text
    # One case per citizen: the form now leads to the existing registration.
    again = browser.get("/register/step/contact")
    assert again.status_code == 303 and again.headers["location"].startswith("/register/status")


def test_a_registered_citizen_adds_a_creditor_to_the_same_case(browser: DevBrowser) -> None:
    assert register_self(browser, new_citizen()).status_code == 200
    page = browser.get("/register/more")
    assert page.status_code == 200 and "มีเจ้าหนี้แล้ว 1" in text_of(page.text)
    more = {"creditors.0.kind": "unknown", "creditors.0.name": "แก๊งหมวกกันน็อก",
            "creditors.0.debts.0.principal": "5,000.555", "creditors.0.debts.0.outstanding": "7,000"}
    refused = browser.post_form("/register/more", more, page=page.text)
    assert refused.status_code == 422 and "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง" in refused.text
    assert 'value="แก๊งหมวกกันน็อก"' in refused.text
    saved = browser.post_form("/register/more", {**more, "creditors.0.debts.0.principal": "5,000.50"},
                              page=refused.text)
    assert saved.status_code == 303
    status = text_of(browser.follow(saved).text)
    assert "บันทึกเจ้าหนี้เพิ่มเติมแล้ว" in status and "2 / 22,500.50 บาท" in status


def test_validation_errors_keep_what_was_typed_and_link_to_the_fields(browser: DevBrowser) -> None:
    browser.sign_in(f"citizen:{new_citizen()}", next_path="/register/step/contact")
    typed = {**CONTACT, "debtor.phone": "12345", "debtor.monthly_income": "1,23", "debtor.occupation": "ช่างตัดผม"}
    answer = post_step(browser, "contact", typed)
    assert answer.status_code == 422
    html = answer.text
    assert 'value="12345"' in html and 'value="1,23"' in html and 'value="ช่างตัดผม"' in html
    assert 'value="1001" selected' in html  # the district choice survives too
    summary = html[html.index('class="error-summary"'):]
    assert 'href="#f-debtor-phone"' in summary and 'href="#f-debtor-monthly_income"' in summary
    assert "หมายเลขโทรศัพท์ต้องมี 10 หลัก" in html and "The phone number must have" in html  # Thai, then English
    assert 'aria-invalid="true"' in html and 'aria-describedby="f-debtor-phone-hint f-debtor-phone-error"' in html
    # The draft is on the server: a fresh page load (a dropped connection) shows the same values.
    reloaded = browser.get("/register/step/contact").text
    assert 'value="12345"' in reloaded and 'value="ช่างตัดผม"' in reloaded


def test_form_posts_without_a_valid_csrf_token_are_refused(browser: DevBrowser) -> None:
    browser.sign_in(f"citizen:{new_citizen()}", next_path="/register/step/contact")
    missing = browser.post("/register/step/contact", data=CONTACT)
    wrong = browser.post("/register/step/contact", data={**CONTACT, "csrf": "0" * 64})
    submit = browser.post("/register/submit", data={})
    for answer in (missing, wrong, submit):
        assert answer.status_code == 403
        assert "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง" in answer.text
    assert 'value="99/1' not in browser.get("/register/step/contact").text  # nothing was saved


def test_a_citizen_cannot_change_the_name_or_id_from_their_identity(browser: DevBrowser) -> None:
    cid, other = new_citizen(), new_citizen()
    browser.sign_in(f"citizen:{cid}", next_path="/register/step/contact")
    page = browser.get("/register/step/contact").text
    assert 'name="debtor.given_name"' not in page and 'name="debtor.citizen_id"' not in page
    forged = {**CONTACT, "debtor.given_name": "ปลอม", "debtor.family_name": "แก้ชื่อ", "debtor.citizen_id": other}
    assert post_step(browser, "contact", forged).status_code == 303
    for step, data in (("creditors", CREDITORS), ("help", {**HELP, "debtor.citizen_id": other})):
        assert post_step(browser, step, data).status_code == 303
    receipt = browser.follow(browser.post_form("/register/submit", {}, page=browser.get("/register/step/review").text))
    assert receipt.status_code == 200
    shown = text_of(receipt.text)
    assert "ปลอม" not in shown and "แก้ชื่อ" not in shown
    assert cid[1:5] in shown and other[1:5] + "-" + other[5:10] not in shown


def test_signed_out_visitors_are_sent_to_sign_in_and_back(browser: DevBrowser) -> None:
    answer = browser.get("/register/step/creditors")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/auth/signin?flow=public")
    landed = browser.sign_in(f"citizen:{new_citizen()}", next_path="/register/step/creditors")
    assert landed.status_code == 200 and str(landed.url).endswith("/register/step/creditors")
    assert 'name="creditors.0.debts.0.principal"' in landed.text


def test_sign_in_refuses_a_forged_state_and_foreign_next(browser: DevBrowser, site: RunningService) -> None:
    start = browser.get("/auth/signin?flow=public&next=//evil.example/steal")
    assert start.status_code == 303
    forged = browser.get("/auth/callback?code=abc&state=forged")
    assert forged.status_code == 400
    landed = browser.sign_in(f"citizen:{new_citizen()}", next_path="https://evil.example/")
    assert str(landed.url).startswith(site.url + "/register")
    cookie = browser.cookies[f"127.0.0.1:{site.url.rsplit(':', 1)[1]}"]["reg_session"]
    raw = browser.get("/register").headers
    assert "reg_session" not in raw.get("set-cookie", "")  # the session cookie is set once, at sign-in
    assert cookie.count(".") == 1


def test_session_cookie_flags(browser: DevBrowser) -> None:
    start = browser.get("/auth/signin?flow=public")
    cookie = start.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # ENV=dev on plain http; production sets Secure (see WebSettings)


def test_adding_and_removing_rows_works_without_javascript(browser: DevBrowser) -> None:
    browser.sign_in(f"citizen:{new_citizen()}", next_path="/register/step/creditors")
    added = post_step(browser, "creditors", {**CREDITORS, "action": "add_creditor"})
    assert added.status_code == 303
    page = browser.get("/register/step/creditors").text
    assert 'name="creditors.1.debts.0.principal"' in page and 'value="เจ๊หมวย"' in page
    post_step(browser, "creditors", {**CREDITORS, "action": "add_debt:0"})
    assert 'name="creditors.0.debts.1.principal"' in browser.get("/register/step/creditors").text
    post_step(browser, "creditors", {**CREDITORS, "action": "remove_creditor:99"})  # a stale button is harmless
    assert browser.get("/register/step/creditors").status_code == 200


def test_district_choices_follow_the_province(browser: DevBrowser) -> None:
    browser.sign_in(f"citizen:{new_citizen()}", next_path="/register/step/contact")
    post_step(browser, "contact", {"debtor.address.province_code": "47", "action": "refresh"})
    page = browser.get("/register/step/contact").text
    assert '<option value="4701">' in page and '<option value="1001">' not in page
    areas = browser.get("/register/areas?parent=4701").json()
    assert areas[0]["code"].startswith("4701") and areas[0]["th"]
    assert browser.get("/register/areas?parent=x").status_code == 422


def test_english_is_one_click_away(browser: DevBrowser) -> None:
    english = browser.get("/register?lang=en")
    assert "Register for help with informal debt" in english.text and '<html lang="en">' in english.text
    assert "lang=en" in english.headers["set-cookie"]
    assert "Register for help" in browser.get("/register").text  # remembered
    assert "ลงทะเบียนแก้ไขปัญหา" in browser.get("/register?lang=th").text


def test_public_posts_are_rate_limited_per_citizen_with_a_thai_page(
    kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack
) -> None:
    with running_site(kafka, mongodb_uri, keycloak_server, REGISTRATION_RATE_PER_CITIZEN="3") as service, \
            DevBrowser(service.url) as client:
        client.sign_in(f"citizen:{new_citizen()}", next_path="/register/step/contact")
        page = client.get("/register/step/contact").text
        answers = [client.post("/register/step/contact", data={**CONTACT, "csrf": csrf_in(page)}) for _ in range(4)]
        assert [a.status_code for a in answers] == [303, 303, 303, 429]
        assert "มีการส่งข้อมูลถี่เกินไป" in answers[-1].text and int(answers[-1].headers["retry-after"]) >= 1


def test_rate_limit_per_client_address(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack) -> None:
    with running_site(kafka, mongodb_uri, keycloak_server, REGISTRATION_RATE_PER_ADDRESS="2") as service, \
            DevBrowser(service.url) as client:
        codes = [client.get("/auth/signin?flow=public").status_code for _ in range(3)]
        assert codes == [303, 303, 429]


def test_desk_officer_keys_in_a_paper_form(browser: DevBrowser, token_for: Callable[[str], str]) -> None:
    browser.sign_in("registrar:1001", flow="staff", next_path="/desk")
    home = browser.get("/desk")
    assert home.status_code == 200 and "1001" in home.text
    started = browser.post_form("/desk/start", {"mode": "paper"}, page=home.text)
    assert started.headers["location"] == "/desk/step/person"
    person_page = browser.get("/desk/step/person").text
    assert "autofocus" in person_page and 'name="paper_form_no"' in person_page
    cid = new_citizen()
    person = {"debtor.citizen_id": cid, "debtor.title": "นาง", "debtor.given_name": "สมศรี",
              "debtor.family_name": "ใจดี", "debtor.birth_date": "15/03/2515", "paper_form_no": "",
              "paper_received_on": "01/12/2566"}
    missing_no = post_step(browser, "person", person, "/desk")
    assert missing_no.status_code == 422 and "กรุณากรอกเลขที่แบบฟอร์มกระดาษ" in missing_no.text
    person["paper_form_no"] = "PF-1001-0042"
    for step, data in (("person", person), ("contact", CONTACT), ("creditors", CREDITORS), ("help", HELP)):
        answer = post_step(browser, step, data, "/desk")
        assert answer.status_code == 303, answer.text[:1500]
    review = browser.get("/desk/step/review").text
    assert "PF-1001-0042" in review and "สมศรี" in review
    receipt = browser.follow(browser.post_form("/desk/submit", {}, page=review))
    assert receipt.status_code == 200, receipt.text[:1500]
    number = re.search(r'id="receipt-no">([0-9-]+)<', receipt.text)
    assert number is not None and "บันทึกจากแบบฟอร์มกระดาษ" in receipt.text and "หน่วย 1001" in text_of(receipt.text)
    # The same registration through the JSON API: channel paper, the unit from the officer's token.
    api = httpx.get(f"{browser.base_url}/api/v1/registrations/{number[1]}",
                    headers={"Authorization": f"Bearer {token_for('registrar:1001')}"})
    assert api.status_code == 200
    body = api.json()
    assert body["channel"] == "paper" and body["unit_code"] == "1001" and body["paper_form_no"] == "PF-1001-0042"


def test_citizens_cannot_use_the_desk(browser: DevBrowser) -> None:
    browser.sign_in(f"citizen:{new_citizen()}")
    answer = browser.get("/desk")
    assert answer.status_code == 303 and "flow=staff" in answer.headers["location"]
