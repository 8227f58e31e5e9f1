"""Invalid requests get Thai (then English) messages per field — never FastAPI's English 422 dump —
page numbers are bounded everywhere, and pages show Buddhist Era dates."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from infra.dev.browser import DevBrowser
from infra.dev.testing import RunningService

THAI = re.compile(r"[\u0E00-\u0E7F]")
BE_DATE = re.compile(r"\d{1,2} (มกราคม|กุมภาพันธ์|มีนาคม|เมษายน|พฤษภาคม|มิถุนายน|กรกฎาคม|สิงหาคม|กันยายน|ตุลาคม|"
                     r"พฤศจิกายน|ธันวาคม) 25\d\d เวลา \d\d:\d\d:\d\d น\.")


def _no_fastapi_dump(text: str) -> None:
    assert "Input should be" not in text and '"msg"' not in text and '"loc"' not in text


@pytest.mark.parametrize(("path", "persona"), [
    ("/api/v1/audit", "auditor"),
    ("/api/v1/staff", "dopa_admin"),
])
def test_huge_page_numbers_are_a_thai_422(identity_app: RunningService, token_for: Callable[[str], str],
                                          path: str, persona: str) -> None:
    with identity_app.client(token_for(persona)) as http:
        huge = http.get(path, params={"page": str(10**18)})
        too_far = http.get(path, params={"page": "10001"})
        furthest = http.get(path, params={"page": "10000"})
        not_a_number = http.get(path, params={"page": "abc"})
    assert huge.status_code == 422 and too_far.status_code == 422 and not_a_number.status_code == 422
    assert furthest.status_code == 200, furthest.text
    body = huge.json()
    assert THAI.search(body["detail"]["th"]) and body["detail"]["en"]
    [error] = body["errors"]
    assert error["field"] == "query.page" and error["th"].startswith("หน้า: ต้องไม่เกิน 10000")
    assert "page" in error["en"] and "10000" in error["en"]
    assert not_a_number.json()["errors"][0]["th"] == "หน้า: ต้องเป็นจำนวนเต็ม"
    _no_fastapi_dump(huge.text)


def test_every_invalid_field_is_named_in_thai(identity_app: RunningService, token_for: Callable[[str], str]) -> None:
    with identity_app.client(token_for("auditor")) as http:
        answer = http.get("/api/v1/audit", params={"page": "0", "page_size": "999", "actor": "x" * 200})
    assert answer.status_code == 422
    fields = {e["field"]: e for e in answer.json()["errors"]}
    assert set(fields) == {"query.page", "query.page_size", "query.actor"}
    assert fields["query.page_size"]["th"] == "จำนวนรายการต่อหน้า: ต้องไม่เกิน 200"
    assert fields["query.actor"]["th"].startswith("ผู้กระทำ: ข้อความยาวเกินไป")
    assert all(THAI.search(e["th"]) and not THAI.search(e["en"]) for e in fields.values())
    with identity_app.client(token_for("province_officer:47")) as http:
        missing = http.post("/api/v1/staff/imports")  # no file at all
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "file"
    _no_fastapi_dump(missing.text)


def test_pages_answer_invalid_input_with_a_thai_page(identity: RunningService) -> None:
    with DevBrowser() as browser:
        browser.sign_in_through(f"{identity.url}/signin?next=/", "auditor")
        page = browser.get(f"{identity.url}/audit", params={"page": str(10**18)})
        assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
        assert "ข้อมูลที่ส่งมาไม่ถูกต้อง" in page.text and "หน้า: ต้องไม่เกิน 10000" in page.text
        _no_fastapi_dump(page.text)
        bad_signin = browser.get(f"{identity.url}/signin", params={"as": "robot"})
        assert bad_signin.status_code == 422 and "ประเภทผู้ใช้" in bad_signin.text
    with DevBrowser() as browser:
        browser.sign_in_through(f"{identity.url}/signin?next=/", "province_officer:47")
        assert browser.get(f"{identity.url}/staff/directory", params={"page": "10001"}).status_code == 422


def test_the_audit_page_shows_buddhist_era_dates(identity: RunningService) -> None:
    with DevBrowser() as browser:
        browser.sign_in_through(f"{identity.url}/signin?next=/", "auditor")  # itself an audit entry
        page = browser.get(f"{identity.url}/audit", params={"since": "2024-01-01T00:00"})
    assert page.status_code == 200
    rows = re.findall(r"<time datetime=\"([^\"]+)\">([^<]+)</time>", page.text)
    assert rows and all(BE_DATE.fullmatch(shown) for _iso, shown in rows)
    assert all(shown.split(" ")[2] == str(int(iso[:4]) + 543) or iso[5:10] == "12-31" for iso, shown in rows)
    assert "ตั้งแต่ 1 มกราคม 2567 เวลา 00:00:00 น." in page.text  # the searched range, in BE too
