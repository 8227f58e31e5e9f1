"""Official letters on the dev stack, through the pages as a browser uses them: a district officer sets up the
district's letters, prints one case's letter and a batch of three from the worklist's bulk form; each case gets
a CaseContacted event (official letter, letter sent) with its own consecutive number, and every print is an
audited read. Another district's officer and the province officer print nothing."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from pypdf import PdfReader

from infra.dev.browser import DevBrowser, csrf_in
from infra.dev.testing import RunningService

from .conftest import citizen_id
from .pages_support import audits

Token = Callable[[str], str]
GIVEN = ("สมศรี", "บุญเรือน", "วิไลวรรณ", "จันทร์เพ็ญ", "ทองใบ", "ประยูร")


def _desk_body(n: int, district: str) -> dict[str, Any]:
    return {
        "channel": "desk",
        "debtor": {"citizen_id": citizen_id(7_100 + n), "title": "นาง", "given_name": GIVEN[n],
                   "family_name": "ใจดี", "birth_date": "1980-01-01", "phone": "0812345678",
                   "address": {"line": f"{n} หมู่ 1", "subdistrict_code": district + "01", "district_code": district,
                               "province_code": "47"}},
        "creditors": [{"kind": "person", "name": "เจ๊แดง", "debts": [
            {"principal": "10,000", "outstanding": "12,000", "interest_rate": "20", "interest_period": "month"}]}],
        "help_wanted": ["mediation"], "privacy_acknowledged": True,
    }


@pytest.fixture(scope="module")
def cases(site: RunningService, token_for: Token) -> list[str]:
    """Five cases in 4701 (one printed alone, three in a batch, one spare) and one in 4702."""
    ids = []
    for n, district in enumerate(("4701", "4701", "4701", "4701", "4701", "4702")):
        with site.client(token_for(f"district_officer:{district}")) as api:
            answer = api.post("/api/v1/registrations", json=_desk_body(n, district))
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["case_id"])
    return ids


def officer(site: RunningService, persona: str) -> DevBrowser:
    browser = DevBrowser(site.url)
    browser.sign_in(persona, flow="staff", next_path="/staff")
    return browser


def pdf_text(data: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"))


def letters_of(site: RunningService, case_id: str) -> list[dict[str, Any]]:
    outbox = site.app.state.cases.outbox
    events = [d["event"] for d in outbox.find({"topic": "case-events", "event.case_id": case_id}).sort("seq", 1)]
    return [e for e in events if e["event_type"] == "CaseContacted"]


def settings_form(browser: DevBrowser, **values: str) -> dict[str, str]:
    page = browser.get("/casework/letters/settings")
    assert page.status_code == 200, page.text[:500]
    fields = ("letter_prefix", "office", "office_address", "signer_name", "signer_position", "signer_position2",
              "owner_unit", "owner_section", "phone", "enclosure")
    form = {f: _value(page.text, f) for f in fields}
    return {**form, **values, "csrf": csrf_in(page.text)}


def _value(html: str, name: str) -> str:
    marker = f'name="{name}" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def test_a_district_officer_sets_up_and_prints_one_letter_and_a_batch(site: RunningService, cases: list[str]) -> None:
    single, *batch, spare, elsewhere = cases
    with officer(site, "district_officer:4701") as browser:
        page = browser.get("/casework/letters/settings")
        assert "ค่าเริ่มต้น" in page.text and 'value="ที่ว่าการอำเภอเมืองสกลนคร"' in page.text
        bad = browser.post("/casework/letters/settings", data=settings_form(browser, office="", phone="12"))
        assert bad.status_code == 422 and "กรุณากรอกส่วนราชการเจ้าของหนังสือ" in bad.text
        saved = browser.post("/casework/letters/settings", data=settings_form(
            browser, letter_prefix="สน 0718", signer_name="นายสมชาย รักษ์ไทย", phone="042-711-234"))
        assert saved.status_code == 303
        assert "บันทึกการตั้งค่าแล้ว" in browser.follow(saved).text

        one = browser.get(f"/casework/cases/{single}/letter.pdf")
        assert one.status_code == 200, one.text[:500]
        assert one.headers["content-type"] == "application/pdf" and one.headers["cache-control"] == "no-store"
        text = pdf_text(one.content)
        for part in ("ที่สน๐๗๑๘/๑", "เรียนนางสมศรีใจดี", "ขอแสดงความนับถือ", "(นายสมชายรักษ์ไทย)", "โทร.๐๔๒-๗๑๑-๒๓๔"):
            assert part in text, part
        again = browser.get(f"/casework/cases/{single}/letter.pdf")  # a reload reprints, recording nothing new
        assert again.status_code == 200 and "ที่สน๐๗๑๘/๑" in pdf_text(again.content)
        assert [(e["method"], e["result"], e["letter_no"]) for e in letters_of(site, single)] == [
            ("official_letter", "letter_sent", "สน ๐๗๑๘/๑")]

        worklist = browser.get("/staff").text  # any page of the session carries its CSRF token
        printed = browser.post("/casework/letters", data={"csrf": csrf_in(worklist), "case_ids": batch})
        assert printed.status_code == 200, printed.text[:500]
        assert printed.headers["content-disposition"].startswith("attachment")
        assert printed.headers["x-letter-count"] == "3"
        reader = PdfReader(io.BytesIO(printed.content))
        assert len(reader.pages) >= 3  # each letter from a new page (flagged interest runs to a second)
        numbers = [letters_of(site, case_id)[-1]["letter_no"] for case_id in batch]
        assert numbers == ["สน ๐๗๑๘/๒", "สน ๐๗๑๘/๓", "สน ๐๗๑๘/๔"]  # distinct, consecutive, in the order ticked
        whole = pdf_text(printed.content)
        assert [whole.index(f"ที่{n.replace(' ', '')}") for n in numbers] == sorted(
            whole.index(f"ที่{n.replace(' ', '')}") for n in numbers)
        for case_id in batch:
            event = letters_of(site, case_id)[-1]
            assert (event["method"], event["result"], event["attempt_no"]) == ("official_letter", "letter_sent", 1)
            assert event["status"] == "contacting" and "given_name" not in str(event)  # no personal data
        reads = audits(site, action="case.read", outcome="allowed", actor_unit_code="4701")
        assert {single, *batch} <= {a["case_id"] for a in reads}

        # A case another district owns, ticked with one of ours: nothing printed yet, the page says why.
        mixed = browser.post("/casework/letters", data={"csrf": csrf_in(worklist), "case_ids": [spare, elsewhere]})
        assert mixed.status_code == 409 and "พิมพ์หนังสือเฉพาะ 1 เรื่องที่พิมพ์ได้" in mixed.text
        assert letters_of(site, spare) == []
        rest = browser.post("/casework/letters", data={"csrf": csrf_in(mixed.text), "case_ids": [spare]})
        assert rest.status_code == 200 and letters_of(site, spare)[-1]["letter_no"] == "สน ๐๗๑๘/๕"

        no_csrf = browser.post("/casework/letters", data={"case_ids": batch})
        assert no_csrf.status_code == 403


def test_other_districts_and_the_province_print_nothing(site: RunningService, cases: list[str]) -> None:
    mine, elsewhere = cases[0], cases[-1]
    with officer(site, "district_officer:4702") as other:
        assert other.get(f"/casework/cases/{mine}/letter.pdf").status_code == 404  # cannot tell it exists
        page = other.get("/staff").text
        assert other.post("/casework/letters", data={"csrf": csrf_in(page), "case_ids": [mine]}).status_code == 404
        assert other.get("/casework/letters/settings").status_code == 200  # its own district's settings
    with officer(site, "province_officer:47") as province:
        assert province.get(f"/casework/cases/{mine}/letter.pdf").status_code == 403
        assert province.get(f"/casework/cases/{elsewhere}/letter.pdf").status_code == 403
        page = province.get("/staff").text
        assert province.post("/casework/letters", data={"csrf": csrf_in(page), "case_ids": [mine]}).status_code == 403
        assert province.get("/casework/letters/settings").status_code == 403
    denied = audits(site, action="case.read", outcome="denied", case_id=mine)
    assert {a["actor_unit_code"] for a in denied} >= {"4702", "47"}
    assert letters_of(site, elsewhere) == []  # ticking 4702's case printed nothing for it
    with DevBrowser(site.url) as anonymous:
        assert anonymous.get(f"/casework/cases/{mine}/letter.pdf").status_code == 303  # to sign-in
        assert anonymous.post("/casework/letters", data={"case_ids": [mine]}).status_code == 401
