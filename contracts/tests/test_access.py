from __future__ import annotations

import pytest

from contracts.access import (
    CaseLocation,
    may_change_case,
    may_manage_staff,
    may_read_audit,
    may_read_case,
    may_register_at_desk,
    totals_scope,
)
from contracts.claims import Claims, Role

CASE = CaseLocation(province_code="47", district_code="4701", citizen_id="1101700230708", unit_code="4701")
CENTRE_CASE = CaseLocation(province_code="47", district_code="4705", citizen_id="3100600445635", unit_code="47")


def who(role: Role, unit: str | None = None, citizen_id: str | None = None) -> Claims:
    return Claims(sub="s", roles=frozenset({role}), unit_code=unit, citizen_id=citizen_id)


@pytest.mark.parametrize(
    ("claims", "read", "change"),
    [
        (who(Role.CITIZEN, citizen_id="1101700230708"), True, True),
        (who(Role.CITIZEN, citizen_id="3100600445635"), False, False),
        (who(Role.REGISTRAR, "4701"), True, True),
        (who(Role.REGISTRAR, "4702"), False, False),
        (who(Role.DISTRICT_OFFICER, "4701"), True, True),
        (who(Role.DISTRICT_OFFICER, "1001"), False, False),
        (who(Role.PROVINCE_OFFICER, "47"), True, False),
        (who(Role.PROVINCE_OFFICER, "48"), False, False),
        (who(Role.DOPA_ADMIN), True, False),
        (who(Role.AUDITOR), False, False),
    ],
)
def test_case_access_by_role_and_unit(claims: Claims, read: bool, change: bool) -> None:
    assert (may_read_case(claims, CASE), may_change_case(claims, CASE)) == (read, change)


def test_province_centre_desk_reaches_its_province_and_its_own_cases() -> None:
    centre = who(Role.REGISTRAR, "47")
    assert may_read_case(centre, CENTRE_CASE) and may_register_at_desk(centre, "47", "4712")
    assert not may_register_at_desk(centre, "48", "4801")
    assert not may_register_at_desk(who(Role.REGISTRAR, "4701"), "47", "4702")
    assert not may_register_at_desk(who(Role.CITIZEN, citizen_id="1101700230708"), "47", "4701")


def test_totals_scope() -> None:
    assert totals_scope(who(Role.DOPA_ADMIN)) == ("nation", "TH")
    assert totals_scope(who(Role.PROVINCE_OFFICER, "47")) == ("province", "47")
    assert totals_scope(who(Role.DISTRICT_OFFICER, "4701")) == ("district", "4701")
    assert totals_scope(who(Role.AUDITOR)) is None
    assert totals_scope(who(Role.CITIZEN, citizen_id="1101700230708")) is None


def test_only_auditors_read_the_audit_log() -> None:
    assert may_read_audit(who(Role.AUDITOR))
    assert not any(may_read_audit(who(r, "47")) for r in (Role.DOPA_ADMIN, Role.PROVINCE_OFFICER))


@pytest.mark.parametrize(
    ("uploader", "unit", "role", "allowed"),
    [
        (who(Role.DISTRICT_OFFICER, "4701"), "4701", Role.REGISTRAR, True),
        (who(Role.DISTRICT_OFFICER, "4701"), "4701", Role.DISTRICT_OFFICER, True),
        (who(Role.DISTRICT_OFFICER, "4701"), "4701", Role.PROVINCE_OFFICER, False),
        (who(Role.DISTRICT_OFFICER, "4701"), "4702", Role.REGISTRAR, False),
        (who(Role.PROVINCE_OFFICER, "47"), "4702", Role.DISTRICT_OFFICER, True),
        (who(Role.PROVINCE_OFFICER, "47"), "4801", Role.REGISTRAR, False),
        (who(Role.PROVINCE_OFFICER, "47"), "47", Role.DOPA_ADMIN, False),
        (who(Role.PROVINCE_OFFICER, "47"), "47", Role.AUDITOR, False),
        (who(Role.REGISTRAR, "4701"), "4701", Role.REGISTRAR, False),
        (who(Role.DOPA_ADMIN), "10", Role.AUDITOR, True),
        (who(Role.DOPA_ADMIN), "4801", Role.PROVINCE_OFFICER, True),
    ],
)
def test_staff_management_stays_within_unit_and_level(uploader: Claims, unit: str, role: Role, allowed: bool) -> None:
    assert may_manage_staff(uploader, unit, role) is allowed


def test_staff_directory_scope() -> None:
    from contracts.access import staff_directory_scope

    assert staff_directory_scope(who(Role.DOPA_ADMIN)) == ("nation", "TH")
    assert staff_directory_scope(who(Role.PROVINCE_OFFICER, "47")) == ("province", "47")
    for other in (who(Role.DISTRICT_OFFICER, "4701"), who(Role.REGISTRAR, "47"), who(Role.AUDITOR),
                  who(Role.CITIZEN, citizen_id="1101700230708"), who(Role.PROVINCE_OFFICER)):
        assert staff_directory_scope(other) is None


def test_who_may_upload_staff_lists() -> None:
    from contracts.access import may_provision_staff

    assert all(may_provision_staff(who(r, "47")) for r in (Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER,
                                                            Role.DOPA_ADMIN))
    assert not any(may_provision_staff(who(r, "4701")) for r in (Role.REGISTRAR, Role.AUDITOR, Role.CITIZEN))
