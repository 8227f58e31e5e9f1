"""Events the intake publishes: case facts (no personal data) and audit records (who touched which case)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from contracts import codec

if TYPE_CHECKING:
    from registration.cases.case import Case

CASE_EVENTS = "case-events"
AUDIT_EVENTS = "audit-events"
SERVICE = "registration"


def _figures(case: Case) -> dict[str, Any]:
    totals = case.totals
    return {"creditor_count": totals.creditor_count, "debt_count": totals.debt_count,
            "principal_satang": totals.principal_satang, "outstanding_satang": totals.outstanding_satang,
            "status": case.status.value, "facts": case.facts()}


def case_registered(case: Case) -> codec.Event:
    """CaseRegistered v1: codes, counts, amounts, status and facts only (PDPA minimisation)."""
    return codec.new_event(
        "CaseRegistered", 1, case_id=case.id, province_code=case.province_code, district_code=case.district_code,
        channel=case.channel.value, unit_code=case.unit_code, **_figures(case),
    )


def case_updated(case: Case, change: Literal["creditors_added", "debts_added"]) -> codec.Event:
    """CaseUpdated v1 carries the totals and facts after the change, so consumers replace rather than add."""
    return codec.new_event(
        "CaseUpdated", 1, case_id=case.id, revision=case.revision, change=change,
        province_code=case.province_code, district_code=case.district_code, **_figures(case),
    )


class AuditAction(StrEnum):
    READ = "case.read"
    LIST = "case.list"  # a list of cases (the casework worklist): one record per page viewed
    CREATE = "case.create"
    UPDATE = "case.update"
    SIGNIN = "session.signin"


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the audit trail names them: token subject, roles, unit; never their name."""

    sub: str
    roles: tuple[str, ...]
    unit_code: str | None = None
    source_ip: str | None = None
    request_id: str | None = None

    @classmethod
    def of(cls, sub: str, roles: Iterable[str], unit_code: str | None,
           source_ip: str | None = None, request_id: str | None = None) -> Actor:
        return cls(sub[:128], tuple(sorted(roles))[:10], unit_code, (source_ip or "")[:45] or None,
                   (request_id or "")[:64] or None)


def audit_recorded(actor: Actor, action: AuditAction, allowed: bool, case_id: str | None) -> codec.Event:
    return codec.new_event(
        "AuditRecorded",
        1,
        service=SERVICE,
        actor_sub=actor.sub,
        actor_roles=list(actor.roles),
        actor_unit_code=actor.unit_code,
        action=action.value,
        outcome="allowed" if allowed else "denied",
        case_id=case_id,
        target=None,
        source_ip=actor.source_ip,
        request_id=actor.request_id,
    )


def case_event(event_type: str, case: Case, **specific: Any) -> codec.Event:
    """A casework event (CaseContacted, MediationScheduled, CaseClosed …, v1): the case's revision, unit,
    status and reporting facts after the change, and what is specific to the change; no personal data."""
    return codec.new_event(
        event_type, 1, case_id=case.id, revision=case.revision, province_code=case.province_code,
        district_code=case.district_code, status=case.status.value, facts=case.facts(), **specific,
    )
