"""Who may do what, by role and administrative unit: one policy, enforced server-side by every service.

Unit codes: a province is 2 digits (``47``), a district or Bangkok district office 4 (``4701``,
``1001``). A registrar's unit is its desk: a district office (its district code) or a provincial
Damrongdhamma centre (its province code). Plain functions, no I/O, so every service and the
authorization-matrix test read the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.claims import Claims, Role

# Higher number, wider reach. An officer may grant roles up to their own level, never above.
ROLE_LEVEL: dict[Role, int] = {
    Role.REGISTRAR: 1,
    Role.DISTRICT_OFFICER: 2,
    Role.PROVINCE_OFFICER: 3,
    Role.DOPA_ADMIN: 4,
}
STAFF_ROLES = frozenset(ROLE_LEVEL)


@dataclass(frozen=True)
class CaseLocation:
    """What the policy needs to know about a case: where it belongs and whose it is."""

    province_code: str
    district_code: str
    citizen_id: str
    unit_code: str | None = None  # the desk that registered it, for desk and paper cases


def _unit(claims: Claims) -> str:
    return claims.unit_code or ""


def covers_location(claims: Claims, province_code: str, district_code: str) -> bool:
    """The staff member's unit contains this district (a province unit contains its districts)."""
    unit = _unit(claims)
    if len(unit) == 2:
        return province_code == unit and district_code.startswith(unit)
    return len(unit) == 4 and district_code == unit


def may_read_case(claims: Claims, case: CaseLocation) -> bool:
    if claims.has(Role.DOPA_ADMIN):
        return True
    if Role.CITIZEN in claims.roles and claims.citizen_id == case.citizen_id:
        return True
    if claims.has(Role.PROVINCE_OFFICER) and _unit(claims) == case.province_code:
        return True
    if claims.has(Role.REGISTRAR, Role.DISTRICT_OFFICER):
        return covers_location(claims, case.province_code, case.district_code) or (
            case.unit_code is not None and _unit(claims) == case.unit_code
        )
    return False


def may_change_case(claims: Claims, case: CaseLocation) -> bool:
    """Adding creditors or debts, recording contact and mediation: the case's own district or desk,
    or the debtor themself. Province officers and DOPA read; they do not edit cases."""
    if Role.CITIZEN in claims.roles and claims.citizen_id == case.citizen_id:
        return True
    if claims.has(Role.REGISTRAR, Role.DISTRICT_OFFICER):
        return covers_location(claims, case.province_code, case.district_code) or (
            case.unit_code is not None and _unit(claims) == case.unit_code
        )
    return False


def may_register_at_desk(claims: Claims, province_code: str, district_code: str) -> bool:
    """A desk registers debtors living in its own district (a province centre: its province)."""
    return claims.has(Role.REGISTRAR, Role.DISTRICT_OFFICER) and covers_location(claims, province_code, district_code)


def may_self_register(claims: Claims, citizen_id: str) -> bool:
    return Role.CITIZEN in claims.roles and claims.citizen_id == citizen_id


def totals_scope(claims: Claims) -> tuple[str, str] | None:
    """The (level, code) of totals a person may read, or None."""
    unit = _unit(claims)
    if claims.has(Role.DOPA_ADMIN):
        return ("nation", "TH")
    if claims.has(Role.PROVINCE_OFFICER) and len(unit) == 2:
        return ("province", unit)
    if claims.has(Role.DISTRICT_OFFICER, Role.REGISTRAR) and len(unit) == 4:
        return ("district", unit)
    if claims.has(Role.DISTRICT_OFFICER, Role.REGISTRAR) and len(unit) == 2:
        return ("province", unit)  # a provincial centre's desk sees its province
    return None


def may_read_audit(claims: Claims) -> bool:
    return claims.has(Role.AUDITOR)


def may_manage_staff(claims: Claims, target_unit: str, target_role: Role) -> bool:
    """Provisioning: within one's own unit (a province includes its districts), never above one's level.

    Auditor accounts are granted by DOPA administrators only.
    """
    if target_role is Role.AUDITOR or claims.has(Role.DOPA_ADMIN):
        return claims.has(Role.DOPA_ADMIN)
    own_level = max((ROLE_LEVEL[r] for r in claims.roles if r in ROLE_LEVEL), default=0)
    if own_level < ROLE_LEVEL[Role.DISTRICT_OFFICER] or ROLE_LEVEL.get(target_role, 99) > own_level:
        return False  # registrars manage no one; nobody grants above their own level
    unit = _unit(claims)
    return target_unit == unit or (len(unit) == 2 and target_unit.startswith(unit))


def staff_directory_scope(claims: Claims) -> tuple[str, str] | None:
    """Whose staff accounts one may list: DOPA administrators all, province officers their province."""
    unit = _unit(claims)
    if claims.has(Role.DOPA_ADMIN):
        return ("nation", "TH")
    if claims.has(Role.PROVINCE_OFFICER) and len(unit) == 2:
        return ("province", unit)
    return None


def may_provision_staff(claims: Claims) -> bool:
    """Who may upload staff lists at all; each row is then checked with ``may_manage_staff``."""
    return claims.has(Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER, Role.DOPA_ADMIN)


# District casework: contacting the debtor, recording their decision, mediation and its outcome, referrals,
# assignment, letters and transfers. Casework is the district's job; provinces and DOPA oversee it.


def worklist_scope(claims: Claims) -> tuple[str, str] | None:
    """The (level, code) of cases on one's casework worklist, or None for people who do no casework.

    A district officer works their own district's cases; a province officer oversees every district of
    their province and DOPA administrators the nation. Registrars take registrations at the desk and do no
    casework, citizens follow their own case through ``may_read_case`` and auditors read only the audit log,
    so none of them has a worklist. A unit of the wrong length for the role (a misprovisioned account)
    gives no scope rather than a guessed one.
    """
    unit = _unit(claims)
    if claims.has(Role.DOPA_ADMIN):
        return ("nation", "TH")
    if claims.has(Role.PROVINCE_OFFICER) and len(unit) == 2:
        return ("province", unit)
    if claims.has(Role.DISTRICT_OFFICER) and len(unit) == 4:
        return ("district", unit)
    return None


def covers_scope(scope: tuple[str, str], province_code: str, district_code: str) -> bool:
    """A scope from ``worklist_scope`` (or ``totals_scope``) contains a case located in this district.

    Both codes are checked for a province so that a malformed case (district outside its own province)
    is never shown to the wrong province; an unknown level covers nothing.
    """
    level, code = scope
    if level == "nation":
        return True
    if level == "province":
        return len(code) == 2 and province_code == code and district_code.startswith(code)
    if level == "district":
        return len(code) == 4 and district_code == code
    return False


def may_read_casework(claims: Claims, case: CaseLocation) -> bool:
    """The worklist, the case page and its casework timeline: whoever's worklist scope covers the case.

    That is a district officer of the case's current district, a province officer of its province, or a
    DOPA administrator. The registering desk loses sight of the casework once the case is the district's
    (and a transferred case moves to the receiving district's worklist with its ``district_code``).
    """
    scope = worklist_scope(claims)
    return scope is not None and covers_scope(scope, case.province_code, case.district_code)


def may_work_case(claims: Claims, case: CaseLocation) -> bool:
    """Record contacts, the debtor's decision, mediation sessions and outcomes, referrals, assignment and
    letters, close or reopen, or request a transfer: only a district officer of the case's current district.

    One district is accountable for each case, so only its officers write its casework. Province officers
    and DOPA administrators read it to oversee, they do not act in the district's place; registrars and
    citizens may add debts (``may_change_case``) but not record casework.
    """
    unit = _unit(claims)
    return claims.has(Role.DISTRICT_OFFICER) and len(unit) == 4 and unit == case.district_code


def may_decide_transfer(claims: Claims, to_district_code: str) -> bool:
    """Accept or refuse a transfer: only a district officer of the receiving district.

    The receiving district takes on the work, so only it may accept it (or refuse, e.g. the debtor does not
    live there). The sending district requests (``may_work_case``) but cannot accept on the receiver's behalf,
    and neither a province nor DOPA moves a case into a district over its head.
    """
    unit = _unit(claims)
    return claims.has(Role.DISTRICT_OFFICER) and len(unit) == 4 and unit == to_district_code


# Reconciliation (issue 10): registration's figures export, read by the reporting service to recompute the
# totals from the source of truth. Codes, counts and amounts per case, no personal data.

FIGURES_EXPORT_CLIENTS = frozenset({"debt-reporting"})  # service accounts (client-credentials tokens) by client id


def may_read_figures_export(claims: Claims) -> bool:
    """The reporting service's own service account (a token Keycloak issued to its client, which has no
    browser or password flow, so no person holds one), and DOPA administrators, who read national totals
    anyway and may check a reconciliation by hand. Every other staff role is refused: a unit's officers
    read their totals from reporting, scoped to their unit, not the nation's cases one by one."""
    return claims.client_id in FIGURES_EXPORT_CLIENTS or claims.has(Role.DOPA_ADMIN)


def may_run_reconciliation(claims: Claims) -> bool:
    """Starting a reconciliation now (it reads every case once or twice): DOPA administrators. Its result is
    read like the totals, within one's ``totals_scope``."""
    return claims.has(Role.DOPA_ADMIN)


# Monthly reports (reporting's monthly cycle, issue #10): a district officer submits their district's report, a
# province officer reviews their districts' (may return one) and submits the province's, DOPA reviews the
# provinces' (may return one) and sees the whole country's completeness. Registrars, citizens and auditors take
# no part. A unit is a 4-digit district or a 2-digit province; a code of another length is nobody's.


def may_read_monthly_report(claims: Claims, unit_code: str) -> bool:
    """A report, its versions and returns: its own unit's officers and every level above it."""
    scope = worklist_scope(claims)
    if scope is None or len(unit_code) not in (2, 4):
        return False
    level, code = scope
    if level == "nation":
        return True
    if level == "province":
        return unit_code[:2] == code
    return unit_code == code  # a district officer: their district's report only, not their province's


def may_submit_monthly_report(claims: Claims, unit_code: str) -> bool:
    """Only the unit's own officers submit: a district officer their district, a province officer their
    province. DOPA submits nobody's report on their behalf."""
    unit = _unit(claims)
    if len(unit_code) == 4:
        return claims.has(Role.DISTRICT_OFFICER) and len(unit) == 4 and unit == unit_code
    if len(unit_code) == 2:
        return claims.has(Role.PROVINCE_OFFICER) and len(unit) == 2 and unit == unit_code
    return False


def may_return_monthly_report(claims: Claims, unit_code: str) -> bool:
    """The reviewer one level up sends a report back: a province officer their own districts', DOPA a
    province's. Nobody returns their own unit's report, and DOPA does not skip the province to return a
    district's."""
    unit = _unit(claims)
    if len(unit_code) == 4:
        return claims.has(Role.PROVINCE_OFFICER) and len(unit) == 2 and unit_code.startswith(unit)
    if len(unit_code) == 2:
        return claims.has(Role.DOPA_ADMIN)
    return False


def monthly_board_scope(claims: Claims) -> tuple[str, str] | None:
    """The completeness board: DOPA the nation (provinces, and each province's districts), a province officer
    their province's districts. District officers see their own report, not their neighbours' standing."""
    scope = worklist_scope(claims)
    return scope if scope is not None and scope[0] in ("nation", "province") else None


# --- notify (issue #11): who may look up the messages sent, and who may read their bodies ------------------


def covers_unit(scope: tuple[str, str], unit_code: str) -> bool:
    """A worklist scope contains a unit (a 4-digit district, a 2-digit province, "00" for DOPA itself)."""
    level, code = scope
    if level == "nation":
        return True
    if level == "province":
        return len(code) == 2 and unit_code.startswith(code) and len(unit_code) in (2, 4)
    return level == "district" and len(code) == 4 and unit_code == code


def message_log_scope(claims: Claims) -> tuple[str, str] | None:
    """The messages sent for cases and units one oversees: the casework worklist scope (district officer,
    province officer, DOPA). Registrars, citizens and auditors look up no messages."""
    return worklist_scope(claims)


def may_read_message_body(claims: Claims, recipient_kind: str, unit_code: str) -> bool:
    """A message to a debtor speaks of their debt and appointment: only the officer of the case's district, who
    works the case, reads its text. A notice to a unit carries no personal data: whoever may see it listed."""
    scope = message_log_scope(claims)
    if scope is None or not covers_unit(scope, unit_code):
        return False
    if recipient_kind == "debtor":
        return scope == ("district", unit_code)
    return True


# Debtor contacts for notify (issue #11): events carry no personal data, so notify reads a debtor's phone at send
# time from registration, with its own service account only. No person reads contacts through this route.

DEBTOR_CONTACT_CLIENTS = frozenset({"debt-notify"})  # service accounts (client-credentials tokens) by client id


def may_read_debtor_contact(claims: Claims) -> bool:
    return claims.client_id in DEBTOR_CONTACT_CLIENTS


# Staff contacts for notify (issue #11): a new staff member's welcome is sent by notify, which reads the account's
# e-mail and asks for its activation link at send time from identity, with its own service account only.
STAFF_CONTACT_CLIENTS = frozenset({"debt-notify"})


def may_read_staff_contact(claims: Claims) -> bool:
    return claims.client_id in STAFF_CONTACT_CLIENTS
