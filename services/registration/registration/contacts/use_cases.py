"""Who may read a debtor's contact (``contracts.access.may_read_debtor_contact``: notify's service account) and
what it gets: the phone in E.164 as registration stores it, nothing else about the person. Every read, allowed
or refused, is an AuditRecorded ``case.read`` naming the case."""

from __future__ import annotations

from typing import Any

from contracts.access import may_read_debtor_contact
from contracts.claims import Claims
from registration.cases.audit import AuditTrail
from registration.cases.errors import Forbidden, NotFound
from registration.cases.events import Actor, AuditAction
from registration.cases.store import CaseRepository

NOT_ALLOWED = ("contacts.forbidden", "ข้อมูลติดต่อลูกหนี้อ่านได้เฉพาะบริการแจ้งเตือน",
               "Debtor contacts are for the notification service only.")
NO_CASE = ("case.not_found", "ไม่พบเรื่องนี้", "No such case.")


def debtor_contact(cases: CaseRepository, audit: AuditTrail, claims: Claims, actor: Actor,
                   case_id: str) -> dict[str, Any]:
    if not may_read_debtor_contact(claims):
        audit.record(actor, AuditAction.READ, False, case_id)
        raise Forbidden(*NOT_ALLOWED)
    case = cases.find(case_id)
    if case is None:
        raise NotFound(*NO_CASE)
    audit.record(actor, AuditAction.READ, True, case_id)
    return {"case_id": case.id, "district_code": case.district_code, "phone": case.debtor.phone,
            "line_user_id": None}
