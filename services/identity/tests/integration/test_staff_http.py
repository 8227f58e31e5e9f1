"""Staff accounts over HTTP: the JSON API (bearer tokens) and the pages (session cookie + CSRF)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import httpx
from openpyxl import Workbook  # type: ignore[import-untyped]

from infra.dev.browser import DevBrowser, csrf_in
from infra.dev.testing import RunningService

HEADER_TH = ["เลขประจำตัวประชาชน", "คำนำหน้า", "ชื่อ", "นามสกุล", "ตำแหน่ง", "รหัสหน่วย", "บทบาท", "อีเมล", "โทรศัพท์"]


def csv_file(rows: list[list[str]]) -> bytes:
    lines = [",".join(HEADER_TH)] + [",".join(r) for r in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def xlsx_file(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["citizen_id", "title", "given_name", "family_name", "position", "unit_code", "role", "email",
                  "phone"])
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def staff(cid: str, unit: str = "4701", role: str = "registrar") -> list[str]:
    return [cid, "นาย", "สมชาย", "รักไทย", "ปลัดอำเภอ", unit, role, f"{cid}@example.go.th", "0812345678"]


def upload(service: RunningService, token: str | None, content: bytes, name: str = "staff.csv") -> httpx.Response:
    with service.client(token) as http:
        return http.post("/api/v1/staff/imports", files={"file": (name, content, "application/octet-stream")})


def test_csv_upload_applies_every_row_and_is_audited(
    identity_app: RunningService, token_for: Callable[[str], str], new_citizen_id: Callable[[], str]
) -> None:
    a, b = new_citizen_id(), new_citizen_id()
    answer = upload(identity_app, token_for("district_officer:4701"), csv_file([staff(a), staff(b)]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["applied"] and [c["row"] for c in body["created"]] == [2, 3] and body["problems"] == []
    with identity_app.client(token_for("auditor")) as http:
        audit = http.get("/api/v1/audit", params={"action": "staff.create"}).json()
    targets = {e["target"] for e in audit["entries"]}
    assert {c["id"] for c in body["created"]} <= targets
    assert all(e["actor_unit_code"] == "4701" and e["service"] == "identity" for e in audit["entries"])


def test_mixed_xlsx_is_refused_whole_with_thai_row_messages(
    identity_app: RunningService, token_for: Callable[[str], str], new_citizen_id: Callable[[], str]
) -> None:
    good = new_citizen_id()
    bad = good[:12] + str((int(good[12]) + 3) % 10)
    rows = [staff(good), staff(bad), staff(new_citizen_id(), unit="9999"),
            staff(new_citizen_id(), unit="47", role="province_officer")]
    rows[0][0] = int(good)  # typed as a number in Excel
    answer = upload(identity_app, token_for("district_officer:4701"), xlsx_file(rows), "staff.xlsx")
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert [(p["row"], p["field"]) for p in problems] == [(3, "citizen_id"), (4, "unit_code"), (5, "role")]
    assert all(p["th"] and p["en"] for p in problems)
    assert answer.json()["created"] == []


def test_unreadable_file_and_missing_columns_are_explained(
    identity_app: RunningService, token_for: Callable[[str], str]
) -> None:
    token = token_for("district_officer:4701")
    assert upload(identity_app, token, b"\x00\x01garbage", "staff.pdf").json()["detail"]["th"]
    missing = upload(identity_app, token, "ชื่อ,นามสกุล\nก,ข\n".encode())
    assert missing.status_code == 422 and "เลขประจำตัวประชาชน" in missing.json()["detail"]["th"]


def test_only_officers_may_upload(identity_app: RunningService, token_for: Callable[[str], str],
                                  new_citizen_id: Callable[[], str]) -> None:
    content = csv_file([staff(new_citizen_id())])
    assert upload(identity_app, None, content).status_code == 401
    for persona in ("registrar:4701", "auditor", "citizen:1101700230708"):
        assert upload(identity_app, token_for(persona), content).status_code == 403, persona


def test_directory_is_scoped_by_province_and_deactivation_by_unit(
    identity_app: RunningService, token_for: Callable[[str], str], new_citizen_id: Callable[[], str],
    keycloak: Any,
) -> None:
    in_47, in_48 = new_citizen_id(), new_citizen_id()
    assert upload(identity_app, token_for("dopa_admin"), csv_file([staff(in_47, "4701"), staff(in_48, "4801")])
                  ).status_code == 200

    def listed(persona: str) -> httpx.Response:
        with identity_app.client(token_for(persona)) as http:
            return http.get("/api/v1/staff", params={"page_size": 200})

    seen_47 = {a["citizen_id"] for a in listed("province_officer:47").json()["accounts"]}
    assert in_47 in seen_47 and in_48 not in seen_47
    assert {in_47, in_48} <= {a["citizen_id"] for a in listed("dopa_admin").json()["accounts"]}
    assert listed("district_officer:4701").status_code == 403 and listed("auditor").status_code == 403
    target = next(a["id"] for a in listed("province_officer:47").json()["accounts"] if a["citizen_id"] == in_47)
    with identity_app.client(token_for("district_officer:4702")) as http:
        assert http.post(f"/api/v1/staff/{target}/deactivate").status_code == 404  # not theirs: not revealed
    with identity_app.client(token_for("district_officer:4701")) as http:
        assert http.post(f"/api/v1/staff/{target}/deactivate").json() == {"id": target, "enabled": False}
    if keycloak.fake is not None:
        assert keycloak.fake.state.users[target]["enabled"] is False and target in keycloak.fake.state.logouts


def test_pages_need_a_session_and_csrf(identity: RunningService, new_citizen_id: Callable[[], str]) -> None:
    with DevBrowser() as browser:
        first = browser.get(f"{identity.url}/staff/import")
        assert first.status_code == 303 and first.headers["location"].startswith("/signin?next=")
        landed = browser.sign_in_through(f"{identity.url}{first.headers['location']}", "district_officer:4701")
        assert landed.status_code == 303 and landed.headers["location"] == "/staff/import"
        cookie = next(c for c in landed.headers.get_list("set-cookie") if c.startswith("idn_session="))
        assert all(flag in cookie.lower() for flag in ("secure", "httponly", "samesite=lax"))
        page = browser.get(f"{identity.url}/staff/import")
        assert page.status_code == 200 and "นำเข้ารายชื่อเจ้าหน้าที่" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "strict-transport-security" not in page.headers  # HSTS only in production
        files = {"file": ("staff.csv", csv_file([staff(new_citizen_id())]), "text/csv")}
        forged = browser.post(f"{identity.url}/staff/import", data={"csrf": "nope"}, files=files)
        assert forged.status_code == 403
        done = browser.post(f"{identity.url}/staff/import", data={"csrf": csrf_in(page.text)}, files=files)
        assert done.status_code == 200 and "นำเข้าเรียบร้อย" in done.text
        assert browser.get(f"{identity.url}/staff/directory").status_code == 403  # district officers: no
        home = browser.get(f"{identity.url}/")
        out = browser.post(f"{identity.url}/signout", data={"csrf": csrf_in(home.text)})
        assert out.status_code == 303
        assert browser.get(f"{identity.url}/staff/import").status_code == 303  # session really ended


def test_province_officer_directory_page(identity: RunningService) -> None:
    with DevBrowser() as browser:
        browser.sign_in_through(f"{identity.url}/signin?next=/staff/directory", "province_officer:47")
        page = browser.get(f"{identity.url}/staff/directory")
    assert page.status_code == 200 and "ทะเบียนเจ้าหน้าที่" in page.text and "จังหวัด / province 47" in page.text
