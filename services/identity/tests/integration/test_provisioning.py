"""Staff provisioning against Keycloak's Admin REST API: the stand-in records every request, so the
exact calls are asserted; with KEYCLOAK_URL set the same flows run against a real Keycloak."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from contracts.claims import Claims, Role
from identity.adapters.geothai_units import load_catalogue
from identity.devtools.keycloak_fake import Recorded
from identity.domain.provisioning import NotAllowed, deactivate_staff, import_staff
from identity.domain.staff_files import RawRow

REALM = "/admin/realms/debt"
ACTIONS = ["VERIFY_EMAIL", "UPDATE_PASSWORD", "CONFIGURE_TOTP"]
DISTRICT_OFFICER_4701 = Claims(sub="uploader", roles=frozenset({Role.DISTRICT_OFFICER}), unit_code="4701")
PROVINCE_OFFICER_47 = Claims(sub="p47", roles=frozenset({Role.PROVINCE_OFFICER}), unit_code="47")


def row(n: int, citizen_id: str, **values: str) -> RawRow:
    base = {"citizen_id": citizen_id, "title": "นางสาว", "given_name": "สุดา", "family_name": "ใจดี",
            "position": "เจ้าพนักงานปกครอง", "unit_code": "4701", "role": "registrar",
            "email": f"{citizen_id}-{uuid.uuid4().hex[:6]}@example.go.th", "phone": "081-234-5678"}
    return RawRow(n, {**base, **values})


def calls(log: list[Recorded]) -> list[tuple[str, str, Any]]:
    return [(r.method, r.path, r.body) for r in log]


def test_good_file_creates_users_in_their_unit_group_with_role_and_required_actions(
    keycloak: Any, new_citizen_id: Callable[[], str]
) -> None:
    cid = new_citizen_id()
    staff = row(2, cid)
    result = import_staff([staff], DISTRICT_OFFICER_4701, load_catalogue(), keycloak.directory())
    assert result.applied and len(result.created) == 1 and not result.email_not_sent
    if keycloak.fake is None:
        return  # a real Keycloak: its request log is not ours to read
    fake = keycloak.fake
    user_id = result.created[0][1]
    email = staff.values["email"]
    user = fake.state.users[user_id]
    district = "/provinces/47 สกลนคร/districts/4701 เมืองสกลนคร"
    assert fake.groups_of(user_id) == {district} and fake.roles_of(user_id) == {"registrar"}
    group_ids = {fake.group_path(g): g for g in fake.state.groups}
    registrar_role = fake.state.roles["registrar"]
    log = fake.admin_requests()
    assert calls(log) == [
        ("GET", f"{REALM}/users", None),
        ("GET", f"{REALM}/users", None),
        ("GET", f"{REALM}/group-by-path/provinces", None),
        ("POST", f"{REALM}/groups", {"name": "provinces", "attributes": {}}),
        ("GET", f"{REALM}/group-by-path/provinces/47 สกลนคร", None),
        ("POST", f"{REALM}/groups/{group_ids['/provinces']}/children",
         {"name": "47 สกลนคร", "attributes": {"unit_code": ["47"], "unit_kind": ["province"]}}),
        ("GET", f"{REALM}/group-by-path/provinces/47 สกลนคร/districts", None),
        ("POST", f"{REALM}/groups/{group_ids['/provinces/47 สกลนคร']}/children",
         {"name": "districts", "attributes": {}}),
        ("GET", f"{REALM}/group-by-path{district}", None),
        ("POST", f"{REALM}/groups/{group_ids['/provinces/47 สกลนคร/districts']}/children",
         {"name": "4701 เมืองสกลนคร", "attributes": {"unit_code": ["4701"], "unit_kind": ["district_office"]}}),
        ("POST", f"{REALM}/users", {
            "username": cid, "enabled": True, "email": email, "emailVerified": False,
            "firstName": "สุดา", "lastName": "ใจดี", "requiredActions": ACTIONS,
            "attributes": {"citizen_id": [cid], "unit_code": ["4701"], "unit_kind": ["district_office"],
                           "province_code": ["47"], "staff_role": ["registrar"], "account_type": ["staff"],
                           "title": ["นางสาว"], "position": ["เจ้าพนักงานปกครอง"], "phone": ["0812345678"]},
        }),
        ("PUT", f"{REALM}/users/{user_id}/groups/{group_ids[district]}", None),
        ("GET", f"{REALM}/roles/registrar", None),
        ("POST", f"{REALM}/users/{user_id}/role-mappings/realm",
         [{"id": registrar_role["id"], "name": "registrar"}]),
        ("PUT", f"{REALM}/users/{user_id}/execute-actions-email", ACTIONS),
    ]
    assert log[0].query == {"q": f"citizen_id:{cid}", "first": "0", "max": "2", "briefRepresentation": "false"}
    assert log[1].query == {"email": email, "exact": "true", "first": "0", "max": "2",
                            "briefRepresentation": "false"}
    assert log[-1].query == {"client_id": "debt-staff", "lifespan": "259200"}
    assert user["requiredActions"] == ACTIONS and user["enabled"] is True
    # The system never chooses or sends a password: no credentials in any body, no reset-password call.
    assert not any(isinstance(r.body, dict) and {"credentials", "password"} & set(r.body) for r in log)
    assert not any(r.path.endswith(("reset-password", "reset-password-email")) for r in log)


def test_second_upload_updates_instead_of_duplicating_and_reuses_groups(
    keycloak: Any, new_citizen_id: Callable[[], str]
) -> None:
    directory = keycloak.directory()
    cid = new_citizen_id()
    first = import_staff([row(2, cid)], PROVINCE_OFFICER_47, load_catalogue(), directory)
    user_id = first.created[0][1]
    moved = row(2, cid, unit_code="4702", role="district_officer", email=f"moved-{cid}@example.go.th")
    second = import_staff([moved], PROVINCE_OFFICER_47, load_catalogue(), directory)
    assert second.applied and second.updated == [(2, user_id)] and not second.created
    if keycloak.fake is None:
        return
    fake = keycloak.fake
    assert fake.groups_of(user_id) == {"/provinces/47 สกลนคร/districts/4702 กุสุมาลย์"}
    assert fake.roles_of(user_id) == {"district_officer"}
    user = fake.state.users[user_id]
    assert user["email"] == f"moved-{cid}@example.go.th" and user["emailVerified"] is False
    assert "VERIFY_EMAIL" in user["requiredActions"]
    methods = [(r.method, r.path.split("/users/")[-1]) for r in fake.admin_requests()]
    assert ("PUT", user_id) in methods  # the whole account written back (read first, never a partial PUT)
    assert ("DELETE", f"{user_id}/role-mappings/realm") in methods
    assert sum(1 for r in fake.admin_requests() if r.method == "POST" and r.path.endswith("/groups")) == 1


def test_bad_rows_are_all_reported_in_thai_and_nothing_is_written(
    keycloak: Any, new_citizen_id: Callable[[], str]
) -> None:
    good, dup = new_citizen_id(), new_citizen_id()
    bad_checksum = good[:12] + str((int(good[12]) + 1) % 10)
    rows = [
        row(2, good),
        row(3, bad_checksum),
        row(4, new_citizen_id(), unit_code="4799"),  # no such district
        row(5, dup),
        row(6, dup),
        row(7, new_citizen_id(), role="province_officer", unit_code="47"),  # above a district officer
        row(8, new_citizen_id(), unit_code="4702"),  # outside the uploader's district
        row(9, new_citizen_id(), email="not-an-email"),
    ]
    result = import_staff(rows, DISTRICT_OFFICER_4701, load_catalogue(), keycloak.directory())
    assert not result.applied and not result.created and not result.updated
    found = {(p.row, p.field) for p in result.problems}
    assert found == {(3, "citizen_id"), (4, "unit_code"), (5, "citizen_id"), (6, "citizen_id"), (7, "role"),
                     (8, "role"), (9, "email")}
    assert all(p.th and p.en for p in result.problems)
    assert next(p for p in result.problems if p.row == 3).th.startswith("เลขประจำตัวประชาชนไม่ถูกต้อง")
    assert "แถวที่ 6" in next(p for p in result.problems if p.row == 5).th
    if keycloak.fake is not None:
        assert keycloak.fake.admin_requests() == []  # validation alone decided: not one Admin API call


def test_an_existing_account_in_another_province_stops_the_whole_file(
    keycloak: Any, new_citizen_id: Callable[[], str]
) -> None:
    directory = keycloak.directory()
    theirs = new_citizen_id()
    province_48 = Claims(sub="p48", roles=frozenset({Role.PROVINCE_OFFICER}), unit_code="48")
    assert import_staff([row(2, theirs, unit_code="4801")], province_48, load_catalogue(), directory).applied
    before = len(keycloak.fake.admin_requests()) if keycloak.fake else 0
    ours = new_citizen_id()
    result = import_staff([row(2, ours), row(3, theirs)], PROVINCE_OFFICER_47, load_catalogue(), directory)
    assert not result.applied and [(p.row, p.field) for p in result.problems] == [(3, "citizen_id")]
    if keycloak.fake is not None:
        writes = [r for r in keycloak.fake.admin_requests()[before:] if r.method != "GET"]
        assert writes == [] and keycloak.fake.user_by_username(ours) is None


def test_deactivation_disables_and_logs_out_at_once(keycloak: Any, new_citizen_id: Callable[[], str]) -> None:
    directory = keycloak.directory()
    result = import_staff([row(2, new_citizen_id())], DISTRICT_OFFICER_4701, load_catalogue(), directory)
    user_id = result.created[0][1]
    with pytest.raises(NotAllowed):
        deactivate_staff(Claims(sub="x", roles=frozenset({Role.DISTRICT_OFFICER}), unit_code="4702"), directory,
                         user_id)
    before = len(keycloak.fake.admin_requests()) if keycloak.fake else 0
    deactivate_staff(DISTRICT_OFFICER_4701, directory, user_id)
    account = directory.get(user_id)
    assert account is not None and account.enabled is False
    if keycloak.fake is not None:
        log = keycloak.fake.admin_requests()[before:]
        writes = [(r.method, r.path, r.body.get("enabled") if isinstance(r.body, dict) else r.body)
                  for r in log if r.method != "GET"]
        assert writes == [("PUT", f"{REALM}/users/{user_id}", False), ("POST", f"{REALM}/users/{user_id}/logout",
                                                                          None)]
        assert keycloak.fake.state.logouts == [user_id]
        assert keycloak.fake.state.users[user_id]["attributes"]["unit_code"] == ["4701"]  # nothing else lost


def test_email_failure_keeps_the_account_and_reports_the_row(keycloak: Any, new_citizen_id: Callable[[], str]) -> None:
    if keycloak.fake is None:
        pytest.skip("needs the stand-in to simulate a broken SMTP server")
    keycloak.fake.smtp_works = False
    result = import_staff([row(2, new_citizen_id())], DISTRICT_OFFICER_4701, load_catalogue(), keycloak.directory())
    assert result.applied and len(result.created) == 1 and result.email_not_sent == [2]
