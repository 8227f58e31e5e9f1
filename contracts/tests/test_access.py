from __future__ import annotations

import pytest

from contracts.access import (
    CaseLocation,
    covers_scope,
    may_change_case,
    may_decide_transfer,
    may_manage_staff,
    may_read_audit,
    may_read_case,
    may_read_casework,
    may_register_at_desk,
    may_work_case,
    totals_scope,
    worklist_scope,
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


# District casework. CASE is in district 4701 of province 47; the citizen below is its debtor.
DEBTOR = "1101700230708"


@pytest.mark.parametrize(
    ("claims", "scope", "read", "work", "decide_transfer_to_4701"),
    [
        (who(Role.DISTRICT_OFFICER, "4701"), ("district", "4701"), True, True, True),
        (who(Role.DISTRICT_OFFICER, "4702"), ("district", "4702"), False, False, False),  # same province
        (who(Role.DISTRICT_OFFICER, "1001"), ("district", "1001"), False, False, False),  # another province
        (who(Role.DISTRICT_OFFICER, "47"), None, False, False, False),  # misprovisioned: not a district unit
        (who(Role.DISTRICT_OFFICER, "47010000"), None, False, False, False),
        (who(Role.DISTRICT_OFFICER), None, False, False, False),
        (who(Role.PROVINCE_OFFICER, "47"), ("province", "47"), True, False, False),
        (who(Role.PROVINCE_OFFICER, "48"), ("province", "48"), False, False, False),
        (who(Role.PROVINCE_OFFICER, "4701"), None, False, False, False),  # misprovisioned
        (who(Role.PROVINCE_OFFICER), None, False, False, False),
        (who(Role.DOPA_ADMIN), ("nation", "TH"), True, False, False),
        (who(Role.DOPA_ADMIN, "4701"), ("nation", "TH"), True, False, False),
        (who(Role.REGISTRAR, "4701"), None, False, False, False),  # the desk that registered it
        (who(Role.REGISTRAR, "47"), None, False, False, False),
        (who(Role.CITIZEN, citizen_id=DEBTOR), None, False, False, False),  # the debtor themself
        (who(Role.CITIZEN, citizen_id="3100600445635"), None, False, False, False),
        (who(Role.AUDITOR), None, False, False, False),
        (who(Role.AUDITOR, "4701"), None, False, False, False),
        (Claims(sub="s", unit_code="4701"), None, False, False, False),  # no role at all
    ],
)
def test_casework_access_by_role_and_unit(
    claims: Claims, scope: tuple[str, str] | None, read: bool, work: bool, decide_transfer_to_4701: bool
) -> None:
    assert worklist_scope(claims) == scope
    assert may_read_casework(claims, CASE) is read
    assert may_work_case(claims, CASE) is work
    assert may_decide_transfer(claims, "4701") is decide_transfer_to_4701


def test_the_widest_role_sets_the_worklist() -> None:
    both = Claims(sub="s", roles=frozenset({Role.REGISTRAR, Role.DISTRICT_OFFICER}), unit_code="4701")
    assert worklist_scope(both) == ("district", "4701") and may_work_case(both, CASE)
    overseer = Claims(sub="s", roles=frozenset({Role.DISTRICT_OFFICER, Role.DOPA_ADMIN}), unit_code="4701")
    assert worklist_scope(overseer) == ("nation", "TH")
    assert may_work_case(overseer, CASE)  # still a district officer of 4701


def test_a_province_officer_reads_every_district_of_the_province_and_works_none() -> None:
    province = who(Role.PROVINCE_OFFICER, "47")
    for district in ("4701", "4702", "4718"):
        case = CaseLocation(province_code="47", district_code=district, citizen_id=DEBTOR)
        assert may_read_casework(province, case) and not may_work_case(province, case)
    assert not may_read_casework(province, CaseLocation(province_code="48", district_code="4801", citizen_id=DEBTOR))


def test_a_transfer_is_requested_by_the_sender_and_decided_by_the_receiver() -> None:
    sender, receiver = who(Role.DISTRICT_OFFICER, "4701"), who(Role.DISTRICT_OFFICER, "4801")
    before = CASE
    after = CaseLocation(province_code="48", district_code="4801", citizen_id=DEBTOR, unit_code="4701")
    assert may_work_case(sender, before) and not may_work_case(receiver, before)  # the sender requests
    assert may_decide_transfer(receiver, "4801") and not may_decide_transfer(sender, "4801")
    for overseer in (who(Role.PROVINCE_OFFICER, "48"), who(Role.PROVINCE_OFFICER, "47"), who(Role.DOPA_ADMIN)):
        assert not may_decide_transfer(overseer, "4801")
    assert not may_read_casework(receiver, before)  # a request shows the receiver nothing of the case yet
    # Once accepted the case is the receiver's: its worklist, its casework; the sender lets go.
    assert may_work_case(receiver, after) and may_read_casework(receiver, after)
    assert not may_work_case(sender, after) and not may_read_casework(sender, after)
    assert may_read_casework(who(Role.PROVINCE_OFFICER, "48"), after)
    assert not may_read_casework(who(Role.PROVINCE_OFFICER, "47"), after)


@pytest.mark.parametrize(
    ("scope", "province_code", "district_code", "covered"),
    [
        (("nation", "TH"), "47", "4701", True),
        (("nation", "TH"), "10", "1001", True),
        (("province", "47"), "47", "4701", True),
        (("province", "47"), "48", "4801", False),
        (("province", "47"), "47", "4801", False),  # a malformed case: district outside its province
        (("province", "47"), "48", "4701", False),
        (("district", "4701"), "47", "4701", True),
        (("district", "4701"), "47", "4702", False),
        (("district", "47"), "47", "4701", False),
        (("region", "NE"), "47", "4701", False),
    ],
)
def test_covers_scope(scope: tuple[str, str], province_code: str, district_code: str, covered: bool) -> None:
    assert covers_scope(scope, province_code, district_code) is covered
