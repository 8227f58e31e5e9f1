"""The monthly cycle's access rules (contracts.access, block "Monthly reports")."""

from __future__ import annotations

import pytest

from contracts.access import (
    may_read_monthly_report,
    may_return_monthly_report,
    may_submit_monthly_report,
    monthly_board_scope,
)
from contracts.claims import Claims, Role


def person(role: Role | None, unit: str | None = None) -> Claims:
    return Claims(sub="s", roles=frozenset({role} if role else set()), unit_code=unit)


DO_4701 = person(Role.DISTRICT_OFFICER, "4701")
DO_4702 = person(Role.DISTRICT_OFFICER, "4702")
PO_47 = person(Role.PROVINCE_OFFICER, "47")
PO_48 = person(Role.PROVINCE_OFFICER, "48")
DOPA = person(Role.DOPA_ADMIN)
REGISTRAR = person(Role.REGISTRAR, "4701")
AUDITOR = person(Role.AUDITOR)
CITIZEN = Claims(sub="c", roles=frozenset({Role.CITIZEN}), citizen_id="1101700230708")
MISPROVISIONED_DO = person(Role.DISTRICT_OFFICER, "47")  # a district role with a province's code


@pytest.mark.parametrize(("who", "unit", "allowed"), [
    (DO_4701, "4701", True), (DO_4701, "4702", False), (DO_4701, "47", False),
    (PO_47, "4701", True), (PO_47, "47", True), (PO_47, "4801", False), (PO_47, "48", False),
    (DOPA, "4801", True), (DOPA, "48", True), (DOPA, "480", False),
    (REGISTRAR, "4701", False), (AUDITOR, "4701", False), (CITIZEN, "4701", False),
    (MISPROVISIONED_DO, "4701", False),
])
def test_reading_a_report(who: Claims, unit: str, allowed: bool) -> None:
    assert may_read_monthly_report(who, unit) is allowed


@pytest.mark.parametrize(("who", "unit", "allowed"), [
    (DO_4701, "4701", True), (DO_4702, "4701", False), (DO_4701, "47", False),
    (PO_47, "47", True), (PO_47, "4701", False), (PO_48, "47", False),
    (DOPA, "4701", False), (DOPA, "47", False), (REGISTRAR, "4701", False), (MISPROVISIONED_DO, "47", False),
])
def test_only_the_units_own_officers_submit(who: Claims, unit: str, allowed: bool) -> None:
    assert may_submit_monthly_report(who, unit) is allowed


@pytest.mark.parametrize(("who", "unit", "allowed"), [
    (PO_47, "4701", True), (PO_47, "4801", False), (PO_48, "4701", False), (PO_47, "47", False),
    (DOPA, "47", True), (DOPA, "4701", False), (DO_4701, "4701", False), (DO_4702, "4701", False),
    (REGISTRAR, "4701", False), (AUDITOR, "47", False),
])
def test_the_reviewer_one_level_up_returns(who: Claims, unit: str, allowed: bool) -> None:
    assert may_return_monthly_report(who, unit) is allowed


def test_board_scope() -> None:
    assert monthly_board_scope(DOPA) == ("nation", "TH")
    assert monthly_board_scope(PO_47) == ("province", "47")
    assert [monthly_board_scope(p) for p in (DO_4701, REGISTRAR, AUDITOR, CITIZEN)] == [None] * 4
