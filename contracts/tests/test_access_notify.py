"""Who may look up notify's messages and read their bodies."""

from __future__ import annotations

from contracts.access import covers_unit, may_read_message_body, message_log_scope
from contracts.claims import Claims, Role


def staff(role: Role, unit: str | None) -> Claims:
    return Claims(sub="s", roles=frozenset({role}), unit_code=unit)


def test_the_message_log_follows_the_worklist() -> None:
    assert message_log_scope(staff(Role.DISTRICT_OFFICER, "4701")) == ("district", "4701")
    assert message_log_scope(staff(Role.PROVINCE_OFFICER, "47")) == ("province", "47")
    assert message_log_scope(staff(Role.DOPA_ADMIN, None)) == ("nation", "TH")
    assert message_log_scope(staff(Role.REGISTRAR, "4701")) is None
    assert message_log_scope(staff(Role.AUDITOR, None)) is None


def test_units_covered() -> None:
    assert covers_unit(("province", "47"), "4701") and covers_unit(("province", "47"), "47")
    assert not covers_unit(("province", "47"), "4801") and not covers_unit(("district", "4701"), "47")
    assert covers_unit(("nation", "TH"), "00")


def test_only_the_district_officer_reads_what_was_sent_to_a_debtor() -> None:
    assert may_read_message_body(staff(Role.DISTRICT_OFFICER, "4701"), "debtor", "4701")
    assert not may_read_message_body(staff(Role.DISTRICT_OFFICER, "4702"), "debtor", "4701")
    assert not may_read_message_body(staff(Role.PROVINCE_OFFICER, "47"), "debtor", "4701")
    assert not may_read_message_body(staff(Role.DOPA_ADMIN, None), "debtor", "4701")


def test_notices_to_units_are_readable_by_whoever_oversees_the_unit() -> None:
    assert may_read_message_body(staff(Role.PROVINCE_OFFICER, "47"), "unit", "4701")
    assert may_read_message_body(staff(Role.DOPA_ADMIN, None), "unit", "47")
    assert not may_read_message_body(staff(Role.PROVINCE_OFFICER, "48"), "unit", "4701")
