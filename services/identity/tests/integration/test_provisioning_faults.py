"""Provisioning when things go wrong: unreadable files (Thai 422), Keycloak failing or down (Thai 503),
and Keycloak failing part-way through an import (compensated: the directory ends exactly as it was)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from identity.adapters.geothai_units import load_catalogue
from identity.devtools.keycloak_fake import FakeKeycloak
from identity.domain.provisioning import ImportFailed, import_staff
from infra.dev.browser import DevBrowser, csrf_in
from infra.dev.testing import RunningService, free_port, stop_service

from ..conftest import KeycloakUnderTest, start_identity
from ..unit.test_staff_files import BROKEN_XLSX
from .test_provisioning import PROVINCE_OFFICER_47, REALM, row
from .test_staff_http import csv_file, staff, upload

THAI = re.compile(r"[\u0E00-\u0E7F]")


def thai_first(message: dict[str, Any]) -> bool:
    return bool(THAI.search(message["th"])) and bool(message["en"]) and not THAI.search(message["en"])


def state_of(fake: FakeKeycloak) -> dict[str, Any]:
    """Everything an import may change in the stand-in (tokens and the request log left out)."""
    st = fake.state
    return copy.deepcopy({"users": st.users, "groups": st.groups, "memberships": st.memberships,
                          "roles": st.role_mappings, "federated": st.federated, "emails": st.action_emails,
                          "logouts": st.logouts})


# ---------------------------------------------------------------------------------------- unreadable files


@pytest.mark.parametrize("case", ["broken sheet XML", "truncated", "unpacks to 80 MB"])
def test_a_broken_xlsx_gets_a_thai_422_and_touches_nothing(
    identity_on_stand_in: RunningService, stand_in: KeycloakUnderTest, token_for: Callable[[str], str], case: str
) -> None:
    answer = upload(identity_on_stand_in, token_for("province_officer:47"), BROKEN_XLSX[case](), "staff.xlsx")
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["applied"] is False and thai_first(body["detail"])
    assert stand_in.fake is not None and stand_in.fake.admin_requests() == []


def test_a_csv_with_a_runaway_field_gets_a_thai_422(identity_on_stand_in: RunningService,
                                                     token_for: Callable[[str], str]) -> None:
    content = csv_file([staff("3470100000011")]) + b'"' + b"x" * 200_000 + b"\n"
    answer = upload(identity_on_stand_in, token_for("province_officer:47"), content)
    assert answer.status_code == 422 and thai_first(answer.json()["detail"])


def test_the_upload_page_shows_the_file_problem_in_thai(identity: RunningService) -> None:
    with DevBrowser() as browser:
        browser.sign_in_through(f"{identity.url}/signin?next=/staff/import", "province_officer:47")
        form = browser.get(f"{identity.url}/staff/import")
        files = {"file": ("staff.xlsx", BROKEN_XLSX["broken workbook XML"](), "application/octet-stream")}
        page = browser.post(f"{identity.url}/staff/import", data={"csrf": csrf_in(form.text)}, files=files)
    assert page.status_code == 422 and "เปิดไฟล์ Excel ไม่ได้" in page.text


# ---------------------------------------------------------------------------------------- Keycloak failing


def test_keycloak_answering_500_gives_thai_503_not_500(
    identity_on_stand_in: RunningService, stand_in: KeycloakUnderTest, token_for: Callable[[str], str]
) -> None:
    assert stand_in.fake is not None
    stand_in.fake.fail("*", "^/admin/", status=500, times=None)
    officer = token_for("province_officer:47")
    answer = upload(identity_on_stand_in, officer, csv_file([staff("3470100000011")]))
    assert answer.status_code == 503 and answer.headers["retry-after"] == "30"
    assert thai_first(answer.json()["detail"])
    with identity_on_stand_in.client(officer) as http:
        listing = http.get("/api/v1/staff")
        assert listing.status_code == 503 and thai_first(listing.json()["detail"])
        assert http.post("/api/v1/staff/00000000-0000-4000-8000-000000000001/deactivate").status_code == 503
    # The page as a signed-in province officer sees it. Keycloak sends browsers back only to the session's
    # identity service, so this one's session is opened in its store, exactly as its sign-in callback does.
    app = identity_on_stand_in.app
    session = app.state.sessions.start(app.state.token_verifier.verify(officer))
    with DevBrowser() as browser:
        browser.cookies[f"127.0.0.1:{identity_on_stand_in.url.rsplit(':', 1)[1]}"] = {"idn_session": session}
        page = browser.get(f"{identity_on_stand_in.url}/staff/directory")
    assert page.status_code == 503 and "ไม่พร้อมใช้งานชั่วคราว" in page.text and "Traceback" not in page.text


@pytest.fixture
def identity_without_keycloak(mongodb_uri: str, issuer_url: str, db_name: str) -> Iterator[RunningService]:
    """Configured for a Keycloak that is down: nothing listens on its port."""
    nobody = KeycloakUnderTest(f"http://127.0.0.1:{free_port()}", "debt", "debt-identity", "secret", None)
    service = start_identity(nobody, mongodb_uri, issuer_url, db_name)
    yield service
    stop_service(service)


def test_keycloak_down_gives_thai_503(identity_without_keycloak: RunningService,
                                      token_for: Callable[[str], str]) -> None:
    officer = token_for("province_officer:47")
    answer = upload(identity_without_keycloak, officer, csv_file([staff("3470100000011")]))
    assert answer.status_code == 503 and thai_first(answer.json()["detail"])
    with identity_without_keycloak.client(officer) as http:
        assert http.get("/api/v1/staff").status_code == 503


# ---------------------------------------------------------------------------------------- part-way failures


def _existing(stand_in: KeycloakUnderTest, cid: str) -> str:
    """One account made by an earlier, successful import (registrar of 4701)."""
    done = import_staff([row(2, cid)], PROVINCE_OFFICER_47, load_catalogue(), stand_in.directory())
    return done.created[0][1]


def test_failure_on_a_later_row_undoes_every_earlier_row_over_http(
    identity_on_stand_in: RunningService, stand_in: KeycloakUnderTest, token_for: Callable[[str], str],
    new_citizen_id: Callable[[], str],
) -> None:
    fake = stand_in.fake
    assert fake is not None
    existing_cid = new_citizen_id()
    existing = _existing(stand_in, existing_cid)
    before, logged = state_of(fake), len(fake.requests)
    created_cid, failing_cid = new_citizen_id(), new_citizen_id()
    rows = [staff(created_cid, "4702", "registrar"),      # row 2: created (in a unit group that is new)
            staff(existing_cid, "4703", "district_officer"),  # row 3: the existing account, moved and promoted
            staff(failing_cid, "4701", "registrar")]      # row 4: Keycloak fails creating it
    fake.fail("POST", f"^{REALM}/users$", skip=1)          # the second account creation of this import
    answer = upload(identity_on_stand_in, token_for("province_officer:47"), csv_file(rows))

    assert answer.status_code == 503, answer.text
    detail = answer.json()["detail"]
    assert detail["code"] == "import.rolled_back" and "ไม่ได้นำเข้าข้อมูลใดเลย" in detail["th"]
    assert thai_first(detail)
    assert state_of(fake) == before  # users, fields, attributes, enabled, groups, roles, e-mails: as before
    log = fake.requests[logged:]
    failed_at = next(i for i, r in enumerate(log) if r.method == "POST" and r.path == f"{REALM}/users"
                     and r.body["username"] == failing_cid)
    created = next(u for u in fake.requests[logged:] if u.method == "POST" and u.path == f"{REALM}/users")
    assert created.body["username"] == created_cid
    writes_after = [(r.method, re.sub(r"[0-9a-f-]{36}", "<id>", r.path)) for r in log[failed_at + 1:]
                    if r.method != "GET"]
    assert writes_after == [
        ("DELETE", f"{REALM}/users/<id>"),                      # the account row 2 created
        ("PUT", f"{REALM}/users/<id>"),                         # row 3's account: fields and attributes back
        ("DELETE", f"{REALM}/users/<id>/groups/<id>"),          # out of 4703 …
        ("PUT", f"{REALM}/users/<id>/groups/<id>"),             # … back into 4701
        ("DELETE", f"{REALM}/users/<id>/role-mappings/realm"),  # district_officer removed …
        ("POST", f"{REALM}/users/<id>/role-mappings/realm"),    # … registrar back
        ("DELETE", f"{REALM}/groups/<id>"),                     # unit group 4703, created by this import
        ("DELETE", f"{REALM}/groups/<id>"),                     # unit group 4702, likewise
    ]
    assert not any(r.path.endswith("execute-actions-email") for r in log)  # nobody invited to a rolled-back account
    with identity_on_stand_in.client(token_for("auditor")) as http:
        entries = http.get("/api/v1/audit", params={"action": "staff.", "page_size": 200}).json()["entries"]
    rolled_back = {e["target"] for e in entries if e["action"] == "staff.import_rolled_back"}
    assert existing in rolled_back and len(rolled_back) == 2

    # Nothing stale is left behind either: the same file, uploaded again once Keycloak is well, goes in.
    again = upload(identity_on_stand_in, token_for("province_officer:47"), csv_file(rows))
    assert again.status_code == 200, again.text
    [group] = fake.groups_of(existing)
    assert group.startswith("/provinces/47 สกลนคร/districts/4703 ") and fake.roles_of(existing) == {"district_officer"}


def test_failure_inside_an_update_puts_the_account_back(stand_in: KeycloakUnderTest,
                                                         new_citizen_id: Callable[[], str]) -> None:
    fake = stand_in.fake
    assert fake is not None
    cid = new_citizen_id()
    user_id = _existing(stand_in, cid)
    before = state_of(fake)
    fake.fail("POST", r"/role-mappings/realm$")  # after the account was rewritten and moved
    moved = row(2, cid, unit_code="4702", role="district_officer", email=f"new-{cid}@example.go.th",
                given_name="สมศรี")
    with pytest.raises(ImportFailed) as failed:
        import_staff([moved], PROVINCE_OFFICER_47, load_catalogue(), stand_in.directory())
    assert failed.value.complete and failed.value.undone == [user_id]
    assert state_of(fake) == before
    assert fake.state.users[user_id]["firstName"] == "สุดา" and fake.roles_of(user_id) == {"registrar"}


def test_an_incomplete_rollback_is_reported_not_hidden(
    identity_on_stand_in: RunningService, stand_in: KeycloakUnderTest, token_for: Callable[[str], str],
    new_citizen_id: Callable[[], str],
) -> None:
    fake = stand_in.fake
    assert fake is not None
    fake.fail("POST", f"^{REALM}/users$", skip=1)
    fake.fail("DELETE", f"^{REALM}/users/[^/]+$", times=None)  # and Keycloak refuses to delete, too
    first, second = new_citizen_id(), new_citizen_id()
    answer = upload(identity_on_stand_in, token_for("province_officer:47"), csv_file([staff(first), staff(second)]))
    assert answer.status_code == 503
    detail = answer.json()["detail"]
    left = fake.user_by_username(first)
    assert left is not None and detail["code"] == "import.rollback_incomplete" and detail["accounts"] == [left["id"]]
    assert "ย้อนกลับได้ไม่ครบ" in detail["th"] and thai_first(detail)
    with httpx.Client(base_url=identity_on_stand_in.url,
                      headers={"Authorization": f"Bearer {token_for('auditor')}"}) as http:
        entries = http.get("/api/v1/audit", params={"action": "staff.rollback_failed"}).json()["entries"]
    assert [e["target"] for e in entries] == [left["id"]]
