"""Events the intake publishes: case facts (no personal data) and audit records (who touched which case)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from contracts import codec
from registration.domain.case import NewCase, Totals

CASE_EVENTS = "case-events"
AUDIT_EVENTS = "audit-events"
SERVICE = "registration"


def case_registered(case_id: str, case: NewCase) -> codec.Event:
    """CaseRegistered v1: codes, counts and amounts only (PDPA minimisation)."""
    totals = case.totals
    return codec.new_event(
        "CaseRegistered",
        1,
        case_id=case_id,
        province_code=case.province_code,
        district_code=case.district_code,
        channel=case.channel.value,
        unit_code=case.unit_code,
        creditor_count=totals.creditor_count,
        debt_count=totals.debt_count,
        principal_satang=totals.principal_satang,
        outstanding_satang=totals.outstanding_satang,
    )


def case_updated(
    case_id: str, revision: int, change: Literal["creditors_added", "debts_added"],
    province_code: str, district_code: str, totals: Totals,
) -> codec.Event:
    """CaseUpdated v1 carries the totals after the change, so consumers replace rather than add."""
    return codec.new_event(
        "CaseUpdated",
        1,
        case_id=case_id,
        revision=revision,
        change=change,
        province_code=province_code,
        district_code=district_code,
        creditor_count=totals.creditor_count,
        debt_count=totals.debt_count,
        principal_satang=totals.principal_satang,
        outstanding_satang=totals.outstanding_satang,
    )


class AuditAction(StrEnum):
    READ = "case.read"
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
