"""Staff provisioning against the session's real Keycloak, through its Admin REST API (the debt-identity
service account). Failures part-way are in test_provisioning_faults (the recording stand-in)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from contracts.claims import Claims, Role
from identity.adapters.geothai_units import load_catalogue
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


def test_good_file_creates_users_in_their_unit_group_with_role_and_required_actions(
    keycloak: Any, new_citizen_id: Callable[[], str]
) -> None:
    """The account is made with the citizen ID as username, in its unit's group, with its realm role and the
    required actions (verify e-mail, choose a password, enrol OTP); no password is ever set. Keycloak sends no
    e-mail: the welcome goes through notify (tests/test_staff_welcome.py), and no ``welcomes`` port is given here."""
    cid = new_citizen_id()
    staff = row(2, cid)
    directory = keycloak.directory()
    result = import_staff([staff], DISTRICT_OFFICER_4701, load_catalogue(), directory)
    assert result.applied and len(result.created) == 1 and result.welcomed == []
    user_id = result.created[0][1]
    user = directory.admin.get_user(user_id)
    assert user["username"] == cid and user["enabled"] is True and user["email"] == staff.values["email"]
    assert sorted(user["requiredActions"]) == sorted(ACTIONS) and user["emailVerified"] is False
    assert user["attributes"]["citizen_id"] == [cid] and user["attributes"]["unit_code"] == ["4701"]
    assert user["attributes"]["phone"] == ["0812345678"] and user["attributes"]["account_type"] == ["staff"]
    groups = {g["path"] for g in directory.admin.get_user_groups(user_id)}
    assert groups == {"/provinces/47 สกลนคร/districts/4701 เมืองสกลนคร"}
    assert "registrar" in {r["name"] for r in directory.admin.get_realm_roles_of_user(user_id)}
    assert directory.admin.get_credentials(user_id) == []  # the system never chooses or sends a password


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
