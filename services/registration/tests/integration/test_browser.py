"""Headless Chromium (Debian's, driven by Playwright): a self-registration on a 360×740 phone screen and a
desk registration by keyboard. Screenshots go to test-artifacts/ for people to look at."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect, sync_playwright

from infra.dev.testing import KafkaUnderTest, KeycloakStack, RunningService

from .pages_support import running_site

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def citizen_id() -> str:
    first12 = f"3{uuid.uuid4().int % 10**11:011d}"
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10
    return first12 + str(check)


@pytest.fixture(scope="module")
def site(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack,
         identity: RunningService) -> Iterator[RunningService]:
    """The pages, with identity running: Keycloak sends sign-ins on to its ThaiD simulator."""
    with running_site(kafka, mongodb_uri, keycloak_server) as service:
        yield service


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(pytestconfig: pytest.Config) -> Path:
    folder = pytestconfig.rootpath / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder


def watch(page: Page, site: RunningService) -> list[str]:
    """Console errors and CSP violations on our pages: they have no inline script or style to be blocked."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        offline = "ERR_INTERNET_DISCONNECTED" in message.text  # the simulated dropped connection
        if message.type == "error" and page.url.startswith(site.url) and not offline:
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def signed_in(chromium: Browser, site: RunningService, keycloak: KeycloakStack, start: str, link: str,
              persona: str, shots: Path | None = None, **options: Any) -> tuple[BrowserContext, Page]:
    """Signs ``persona`` in as a person does: the site's sign-in link, "ThaiD" on Keycloak's page, the
    citizen ID on the ThaiD simulator, and back through Keycloak to the site."""
    context = chromium.new_context(**options)
    page = context.new_page()
    page.goto(site.url + start)
    page.click(link)
    page.wait_for_url(f"{keycloak.url}/**")
    page.click("#social-thaid")
    page.wait_for_selector("#thaid-citizen-id")
    if shots is not None:
        page.screenshot(path=shots, full_page=True)
    page.fill("#thaid-citizen-id", keycloak.accounts.citizen_id_of(persona))
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(f"{site.url}/**")
    return context, page


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_self_registration_on_a_small_phone(chromium: Browser, site: RunningService, keycloak_server: KeycloakStack,
                                            shots: Path) -> None:
    phone = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1, "locale": "th-TH"}
    landing = chromium.new_context(**phone)
    first = landing.new_page()
    problems = watch(first, site)
    first.goto(f"{site.url}/register")
    first.screenshot(path=shots / "self-01-landing.png", full_page=True)
    landing.close()
    context, page = signed_in(chromium, site, keycloak_server, "/register", "#signin", f"citizen:{citizen_id()}",
                              shots / "self-02-thaid-simulator.png", **phone)
    problems += watch(page, site)

    expect(page.locator("h1")).to_have_text("ที่อยู่และการติดต่อ")
    page.fill("#f-debtor-phone", "08123")  # a typo first: the error summary and the field error
    page.fill("#f-debtor-address-line", "12/3 หมู่ 4")
    page.select_option("#f-debtor-address-province_code", "47")
    page.wait_for_selector('#f-debtor-address-district_code option[value="4701"]', state="attached")
    page.select_option("#f-debtor-address-district_code", "4701")
    page.wait_for_selector('#f-debtor-address-subdistrict_code option[value="470101"]', state="attached")
    page.select_option("#f-debtor-address-subdistrict_code", "470101")
    page.fill("#f-debtor-monthly_income", "8,500")
    page.locator(".actions button.primary").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#f-debtor-address-line")).to_have_value("12/3 หมู่ 4")
    page.screenshot(path=shots / "self-03-contact-error.png", full_page=True)
    assert fits_the_screen(page)

    page.fill("#f-debtor-phone", "081 234 5678")
    page.locator(".actions button.primary").click()
    expect(page.locator("h1")).to_have_text("เจ้าหนี้และหนี้")
    page.select_option("#f-creditors-0-kind", "person")
    page.fill("#f-creditors-0-name", "เฮียเล้ง ตลาดสด")
    page.fill("#f-creditors-0-debts-0-principal", "30,000")
    page.fill("#f-creditors-0-debts-0-outstanding", "41,250.75")
    page.fill("#f-creditors-0-debts-0-interest_rate", "20")
    page.select_option("#f-creditors-0-debts-0-interest_period", "month")
    page.check('input[name="creditors.0.debts.0.collateral"][value="atm_card"]')
    page.screenshot(path=shots / "self-04-creditors.png", full_page=True)
    assert fits_the_screen(page)
    # The connection drops as they press "continue": nothing reaches the server, and after reconnecting
    # the page comes back with what was typed (the browser's copy fills what the server never got).
    context.set_offline(True)
    page.locator(".actions button.primary").click(no_wait_after=True)
    page.wait_for_timeout(300)
    context.set_offline(False)
    page.goto(f"{site.url}/register/step/creditors")
    expect(page.locator("#f-creditors-0-name")).to_have_value("เฮียเล้ง ตลาดสด")
    expect(page.locator("#f-creditors-0-debts-0-outstanding")).to_have_value("41,250.75")
    expect(page.locator("#f-creditors-0-debts-0-interest_period")).to_have_value("month")
    expect(page.locator("#f-creditors-0-kind")).to_have_value("person")
    expect(page.locator('input[name="creditors.0.debts.0.collateral"][value="atm_card"]')).to_be_checked()
    page.screenshot(path=shots / "self-05-creditors-after-reconnect.png", full_page=True)
    page.locator(".actions button.primary").click()

    expect(page.locator("h1")).to_have_text("ความช่วยเหลือที่ต้องการ")
    page.check('input[name="help_wanted"][value="mediation"]')
    page.check("#f-privacy_acknowledged")
    page.screenshot(path=shots / "self-06-help.png", full_page=True)
    page.locator(".actions button.primary").click()

    expect(page.locator("h1")).to_have_text("ตรวจสอบและยืนยัน")
    page.screenshot(path=shots / "self-07-review.png", full_page=True)
    page.locator(".actions button.primary").click()

    receipt_no = page.locator("#receipt-no")
    expect(receipt_no).to_have_text(re.compile(r"^47-25[0-9]{2}-[0-9]{6}$"))
    expect(page.locator(".receipt")).to_contain_text("41,250.75 บาท")
    assert fits_the_screen(page)
    page.screenshot(path=shots / "self-08-receipt.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=shots / "self-09-receipt-print.png", full_page=True)
    expect(page.locator("header.top")).to_be_hidden()
    page.emulate_media(media="screen")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('debt-reg-draft:')).length") == 0
    number = receipt_no.inner_text()
    page.goto(f"{site.url}/register/status")
    expect(page.locator(".status")).to_contain_text(number)
    page.screenshot(path=shots / "self-10-status.png", full_page=True)
    assert problems == []
    context.close()


def test_desk_registration_by_keyboard(chromium: Browser, site: RunningService, keycloak_server: KeycloakStack,
                                       shots: Path) -> None:
    context, page = signed_in(chromium, site, keycloak_server, "/staff", "#staff-signin", "registrar:1001",
                              viewport={"width": 1280, "height": 900}, locale="th-TH")
    problems = watch(page, site)
    expect(page.locator("h1")).to_have_text("สำหรับเจ้าหน้าที่")
    page.goto(f"{site.url}/desk")
    page.screenshot(path=shots / "desk-01-home.png", full_page=True)
    page.keyboard.press("Enter")  # the "new registration" button has the focus

    expect(page.locator("h1")).to_have_text("ข้อมูลผู้ลงทะเบียน")
    expect(page.locator("#f-debtor-citizen_id")).to_be_focused()
    order = []
    for text in (citizen_id(), "นาย", "สมชาย", "ขยันดี", "05/06/2520"):
        order.append(page.evaluate("document.activeElement.id"))
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    assert order == ["f-debtor-citizen_id", "f-debtor-title", "f-debtor-given_name", "f-debtor-family_name",
                     "f-debtor-birth_date"]
    page.screenshot(path=shots / "desk-02-person.png", full_page=True)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # Enter in a field saves and continues

    expect(page.locator("h1")).to_have_text("ที่อยู่และการติดต่อ")
    expect(page.locator("#f-debtor-phone")).to_be_focused()
    page.keyboard.type("02 123 4567")
    page.keyboard.press("Tab")
    page.keyboard.type("1 ถนนราชดำเนิน")
    page.select_option("#f-debtor-address-province_code", "10")
    page.wait_for_selector('#f-debtor-address-district_code option[value="1001"]', state="attached")
    page.select_option("#f-debtor-address-district_code", "1001")
    page.wait_for_selector('#f-debtor-address-subdistrict_code option[value="100101"]', state="attached")
    page.select_option("#f-debtor-address-subdistrict_code", "100101")
    page.focus("#f-debtor-occupation")
    page.keyboard.type("รับจ้าง")
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("เจ้าหนี้และหนี้")
    expect(page.locator("#f-creditors-0-kind")).to_be_focused()
    page.focus("#f-creditors-0-debts-0-principal")
    page.keyboard.type("5000")
    page.keyboard.press("Tab")
    page.keyboard.type("6000")
    page.screenshot(path=shots / "desk-03-creditors.png", full_page=True)
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("ความช่วยเหลือที่ต้องการ")
    page.focus('input[name="help_wanted"][value="refinancing"]')
    page.keyboard.press("Space")
    page.focus("#f-privacy_acknowledged")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("ตรวจสอบและยืนยัน")
    expect(page.locator(".actions button.primary")).to_be_focused()
    page.screenshot(path=shots / "desk-04-review.png", full_page=True)
    page.keyboard.press("Enter")

    expect(page.locator("#receipt-no")).to_have_text(re.compile(r"^10-25[0-9]{2}-[0-9]{6}$"))
    expect(page.locator(".receipt")).to_contain_text("หน่วย 1001")
    page.screenshot(path=shots / "desk-05-receipt.png", full_page=True)
    assert problems == []
    context.close()
