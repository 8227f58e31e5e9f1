"""The casework pages on the dev stack, as officers use them: the worklist (filters, search, keyset pages,
counts per status) across two districts and a province, the case page with its action forms, a conflict that
keeps what the officer typed, bulk assignment, a transfer answered from the receiving district's list, and
screenshots of the worklist and a case page at 1280 px and 360 px (Chromium, Playwright)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser, sync_playwright

from bench.worklist_seed import documents
from infra.dev.browser import DevBrowser, csrf_in
from infra.dev.testing import KeycloakStack, RunningService
from registration.cases.case import Status
from registration.kernel.receipts import thai_date

from .conftest import citizen_id
from .pages_support import audits

Token = Callable[[str], str]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
IN_4701, IN_4702 = 90, 30


def _desk_body(n: int, district: str) -> dict[str, Any]:
    return {
        "channel": "desk",
        "debtor": {"citizen_id": citizen_id(8_200 + n), "title": "นาง", "given_name": "บุญเรือน",
                   "family_name": "ทดสอบงาน", "birth_date": "1980-01-01", "phone": "0812345678",
                   "address": {"line": f"{n} หมู่ 1", "subdistrict_code": district + "01", "district_code": district,
                               "province_code": "47"}},
        "creditors": [{"kind": "person", "name": "เจ๊แดง", "phone": "0891234567", "debts": [
            {"principal": "10,000", "outstanding": "12,000", "interest_rate": "20", "interest_period": "month",
             "threatened": True}]}],
        "help_wanted": ["mediation"], "privacy_acknowledged": True,
    }


@pytest.fixture(scope="module")
def seeded(site: RunningService, token_for: Token) -> dict[str, Any]:
    """Cases straight into the site's store (the bench's realistic documents: 90 in 4701, 30 in 4702), and two
    registered through the API in 4701 for the case page."""
    db = site.app.state.cases.db
    db["cases"].insert_many(list(documents(IN_4701 + IN_4702, IN_4701, seed=11, others=["4702"], receipt_year=2568)))
    registered = []
    for n in range(2):
        with site.client(token_for("district_officer:4701")) as api:
            answer = api.post("/api/v1/registrations", json=_desk_body(n, "4701"))
        assert answer.status_code == 201, answer.text
        registered.append(answer.json()["case_id"])
    return {"registered": registered}


def officer(site: RunningService, persona: str) -> DevBrowser:
    browser = DevBrowser(site.url)
    browser.sign_in(persona, flow="staff", next_path="/staff")
    return browser


def stored(site: RunningService, **where: Any) -> list[dict[str, Any]]:
    return list(site.app.state.cases.cases.find(where))


def receipts(page: str) -> list[str]:
    return re.findall(r'<a class="nw" href="/casework/cases/[^"]+">([0-9]{2}-[0-9]{4}-[0-9]+)</a>', page)


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def walk(browser: DevBrowser, first: str) -> tuple[list[list[str]], str]:
    """Every page from ``first`` by the "next" links; the pages' receipts and the last page's HTML."""
    pages, url = [], first
    while True:
        answer = browser.get(url)
        assert answer.status_code == 200, answer.text[:500]
        pages.append(receipts(answer.text))
        following = link(answer.text, "next")
        if following is None:
            return pages, answer.text
        url = following


def test_the_worklist_filters_searches_pages_and_counts(site: RunningService, seeded: dict[str, Any]) -> None:
    mine = stored(site, district_code="4701")
    assert len(mine) == IN_4701 + 2
    newest_first = [d["receipt_no"] for d in sorted(mine, key=lambda d: (d["created_at"], d["receipt_no"]),
                                                          reverse=True)]
    with officer(site, "district_officer:4701") as browser:
        first = browser.get("/casework")
        assert first.status_code == 200, first.text[:500]
        assert "งานติดตามลูกหนี้" in first.text and 'name="case_ids"' in first.text
        # Counts per status: the district's, whatever page is shown.
        total = re.search(r'href="/casework">ทั้งหมด <b>([0-9,]+)</b>', first.text)
        assert total is not None and int(total.group(1).replace(",", "")) == len(mine)
        new_count = sum(1 for d in mine if d["status"] == "new")
        assert f'{Status.NEW.value}" href="/casework?status=new">' in first.text
        assert re.search(rf'status=new">[^<]+<b>{new_count}</b>', first.text)

        pages, last = walk(browser, "/casework?size=25")
        assert [len(p) for p in pages] == [25, 25, 25, 17]
        assert [r for p in pages for r in p] == newest_first  # every case once, newest first, across keyset pages
        back = link(last, "prev")
        assert back is not None and receipts(browser.get(back).text) == pages[-2]
        assert "skip" not in unquote(back)

        # Status and flag filters, checked against the store.
        chosen = browser.get("/casework?status=new&status=contacting&flag=threatened&size=100")
        expected = {d["receipt_no"] for d in mine if d["status"] in ("new", "contacting") and d["threatened"]}
        assert set(receipts(chosen.text)) == expected and expected
        by_debt = browser.get("/casework?sort=debt&order=desc&size=100")
        debts = {d["receipt_no"]: d["totals"]["outstanding_satang"] for d in mine}
        shown = receipts(by_debt.text)
        assert [debts[r] for r in shown] == sorted(debts.values(), reverse=True)
        due = browser.get("/casework?sort=due&order=asc&due=overdue&size=100")
        today = site.app.state.worklist.today().isoformat()
        overdue = sorted((d["next_action_due"], d["receipt_no"]) for d in mine
                         if d.get("next_action_due") and d["next_action_due"] < today)
        assert receipts(due.text) == [r for _, r in overdue] and overdue

        # Search: receipt, citizen ID (grouped as on the card), name prefix.
        target = mine[3]
        assert receipts(browser.get(f"/casework?q={target['receipt_no']}").text) == [target["receipt_no"]]
        grouped = target["citizen_id"]
        grouped = f"{grouped[0]}-{grouped[1:5]}-{grouped[5:10]}-{grouped[10:12]}-{grouped[12]}"
        assert receipts(browser.get("/casework", params={"q": grouped}).text) == [target["receipt_no"]]
        prefix = target["name_key"][:4]
        named = receipts(browser.get("/casework", params={"q": prefix, "size": "100"}).text)
        assert set(named) == {d["receipt_no"] for d in mine if d["name_key"].startswith(prefix)}
        wrong = browser.get("/casework", params={"q": "1234567890123", "from": "2599-01-01"})
        assert wrong.status_code == 200 and 'id="f-q-error"' in wrong.text and 'id="f-from-error"' in wrong.text

        # Another district's case cannot be found from here.
        theirs = stored(site, district_code="4702")[0]
        assert receipts(browser.get(f"/casework?q={theirs['receipt_no']}").text) == []
    lists = audits(site, action="case.list", actor_unit_code="4701")
    assert len(lists) >= 10 and all(a["outcome"] == "allowed" for a in lists)


def test_officers_of_4702_see_only_their_district(site: RunningService, seeded: dict[str, Any]) -> None:
    theirs = {d["receipt_no"] for d in stored(site, district_code="4702")}
    ours = stored(site, district_code="4701")
    with officer(site, "district_officer:4702") as browser:
        pages, _ = walk(browser, "/casework?size=100")
        assert {r for p in pages for r in p} == theirs
        assert browser.get(f"/casework?district=4701&q={ours[0]['receipt_no']}").text.count("/casework/cases/") == 0
        assert browser.get(f"/casework/cases/{ours[0]['_id']}").status_code == 404
        page = browser.get("/casework").text
        posted = browser.post(f"/casework/cases/{ours[0]['_id']}/contact",
                              data={"csrf": csrf_in(page), "revision": str(ours[0]["revision"]),
                                    "contact.method": "phone", "contact.result": "reached",
                                    "contact.contacted_on": "2026-01-01"})  # never read: 404 first
        assert posted.status_code == 404
    with officer(site, "registrar:4701") as registrar:
        assert registrar.get("/casework").status_code == 403  # registrars do no casework


def test_the_province_reads_without_acting(site: RunningService, seeded: dict[str, Any]) -> None:
    everyone = stored(site, province_code="47")
    with officer(site, "province_officer:47") as browser:
        page = browser.get("/casework?size=100")
        assert page.status_code == 200
        assert 'name="case_ids"' not in page.text and "/casework/assign" in page.text  # the form, no boxes
        assert "ท่านดูรายการได้" in page.text
        pages, _ = walk(browser, "/casework?size=100")
        assert {r for p in pages for r in p} == {d["receipt_no"] for d in everyone}
        narrowed = browser.get("/casework?district=4702&size=100")
        assert set(receipts(narrowed.text)) == {d["receipt_no"] for d in everyone if d["district_code"] == "4702"}
        case_id = seeded["registered"][0]
        case_page = browser.get(f"/casework/cases/{case_id}")
        assert case_page.status_code == 200
        assert f'action="/casework/cases/{case_id}/' not in case_page.text and "ท่านดูเรื่องนี้ได้" in case_page.text
        assigned = browser.post("/casework/assign", data={"csrf": csrf_in(page.text), "case_ids": [case_id],
                                                           "officer": "me"})
        assert assigned.status_code == 403


def _value_of(page: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert found is not None, name
    return html.unescape(found.group(1))


def test_a_conflict_keeps_what_was_typed(site: RunningService, seeded: dict[str, Any], token_for: Token) -> None:
    case_id = seeded["registered"][0]
    with officer(site, "district_officer:4701") as browser:
        page = browser.get(f"/casework/cases/{case_id}")
        assert page.status_code == 200
        for part in ("บุญเรือน ทดสอบงาน", "ลำดับการดำเนินงาน", "ติดต่อลูกหนี้ครั้งแรก", "เมือง", "เจ๊แดง",
                     f'action="/casework/cases/{case_id}/contact"'):
            assert part in page.text, part
        seen = _value_of(page.text, "revision")
        today = thai_date(datetime.now(UTC)).isoformat()
        # Meanwhile a colleague records a contact through the API.
        with site.client(token_for("district_officer:4701")) as api:
            other = api.post(f"/api/v1/casework/cases/{case_id}/contacts",
                             json={"revision": int(seen), "method": "phone", "result": "not_reached",
                                   "contacted_on": today})
        assert other.status_code in (200, 201), other.text
        note = "โทรหาลูกหนี้แล้ว นัดคุยอีกครั้งวันจันทร์"
        form = {"csrf": csrf_in(page.text), "revision": seen, "contact.method": "home_visit",
                "contact.result": "reached", "contact.contacted_on": today, "contact.note": note}
        clash = browser.post(f"/casework/cases/{case_id}/contact", data=form)
        assert clash.status_code == 409
        assert "มีผู้อื่นบันทึกเรื่องนี้ก่อนท่าน" in clash.text and note in clash.text
        assert 'value="home_visit" selected' in clash.text
        fresh = _value_of(clash.text, "revision")
        assert int(fresh) == int(seen) + 1
        assert "ผล ติดต่อไม่ได้" in clash.text  # the colleague's contact, on the case as it is now
        contacts = site.app.state.cases.find(case_id).contacts
        assert [c.method for c in contacts] == ["phone"]  # nothing of ours was written

        # Bad input: field errors next to the fields, what was typed kept.
        bad = browser.post(f"/casework/cases/{case_id}/contact",
                           data={**form, "csrf": csrf_in(clash.text), "revision": fresh, "contact.method": "",
                                 "contact.contacted_on": "2599-01-01"})
        assert bad.status_code == 422
        assert 'id="f-contact-method-error"' in bad.text and 'id="f-contact-contacted_on-error"' in bad.text
        assert note in bad.text

        saved = browser.post(f"/casework/cases/{case_id}/contact",
                             data={**form, "csrf": csrf_in(clash.text), "revision": fresh})
        assert saved.status_code == 303
        after = browser.follow(saved)
        assert "บันทึกการติดต่อแล้ว" in after.text and "ลงพื้นที่เยี่ยมบ้าน" in after.text
        assert [c.method for c in site.app.state.cases.find(case_id).contacts] == ["phone", "home_visit"]


def test_bulk_assignment_from_the_worklist(site: RunningService, seeded: dict[str, Any]) -> None:
    chosen = [d["_id"] for d in stored(site, district_code="4701", status="new")[:2]]
    with officer(site, "district_officer:4701") as browser:
        page = browser.get("/casework?status=new")
        answer = browser.post("/casework/assign", data={"csrf": csrf_in(page.text), "case_ids": chosen,
                                                         "officer": "me", "back": "/casework?status=new"})
        assert answer.status_code == 303 and answer.headers["location"].startswith("/casework?status=new")
        shown = browser.follow(answer)
        assert "มอบหมายแล้ว 2 เรื่อง" in shown.text
        mine = browser.get("/casework?assigned=me&size=100")
        sub = site.app.state.cases.find(chosen[0]).assigned_to
        assert sub and {d["receipt_no"] for d in stored(site, assigned_to=sub)} == set(receipts(mine.text))
        nothing = browser.post("/casework/assign", data={"csrf": csrf_in(page.text), "officer": "me"})
        assert "กรุณาเลือกอย่างน้อย 1 เรื่อง" in browser.follow(nothing).text


def test_a_transfer_is_answered_from_the_receiving_list(site: RunningService, seeded: dict[str, Any]) -> None:
    case_id = seeded["registered"][1]
    with officer(site, "district_officer:4701") as sender:
        page = sender.get(f"/casework/cases/{case_id}")
        asked = sender.post(f"/casework/cases/{case_id}/transfer",
                            data={"csrf": csrf_in(page.text), "revision": _value_of(page.text, "revision"),
                                  "transfer.to_district_code": "4702", "transfer.reason": "ลูกหนี้ย้ายบ้าน"})
        assert asked.status_code == 303
    with officer(site, "district_officer:4702") as receiver:
        incoming = receiver.get("/casework/transfers")
        assert incoming.status_code == 200 and f"/casework/cases/{case_id}/accept-transfer" in incoming.text
        assert receiver.get(f"/casework/cases/{case_id}").status_code == 200  # it may read what it is asked
        accepted = receiver.post(f"/casework/cases/{case_id}/accept-transfer",
                                 data={"csrf": csrf_in(incoming.text), "revision": _value_of(incoming.text,
                                                                                             "revision")})
        assert accepted.status_code == 303
        receipt = site.app.state.cases.find(case_id).receipt_no
        assert receipt in receiver.follow(accepted).text
        assert receipt in receipts(receiver.get(f"/casework?q={receipt}").text)
        assert "ไม่มีคำขอรับโอน" in receiver.get("/casework/transfers").text
    with officer(site, "district_officer:4701") as sender:
        assert receipts(sender.get(f"/casework?q={receipt}").text) == []
        assert sender.get(f"/casework/cases/{case_id}").status_code == 404


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def test_screenshots_at_1280_and_360(site: RunningService, seeded: dict[str, Any], chromium: Browser,
                                     keycloak_server: KeycloakStack, pytestconfig: pytest.Config) -> None:
    shots = pytestconfig.rootpath / "test-artifacts"
    shots.mkdir(exist_ok=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(site.url + "/staff")
    page.click("#staff-signin")
    page.wait_for_url(f"{keycloak_server.url}/**")
    page.click("#social-thaid")
    page.wait_for_selector("#thaid-citizen-id")
    page.fill("#thaid-citizen-id", keycloak_server.accounts.citizen_id_of("district_officer:4701"))
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(f"{site.url}/**")
    case_id = seeded["registered"][0]
    for width, name in ((1280, "desktop"), (360, "phone")):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 740})
        page.goto(site.url + "/casework?size=25")
        page.wait_for_selector("table.cw-table")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        _save(page, shots / f"casework-worklist-{width}.png")
        page.goto(site.url + f"/casework/cases/{case_id}")
        page.wait_for_selector("#timeline")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        _save(page, shots / f"casework-case-{width}.png")
    # At 360 px the table is a list of cards: one row's cells stacked, each with its column's label.
    display = page.evaluate("getComputedStyle(document.querySelector('.cw-debts tr')).display")
    assert display == "block"
    context.close()
    assert not [p for p in problems if "Content Security Policy" in p]


def _save(page: Any, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
