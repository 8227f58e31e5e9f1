"""Staff look up what was sent for a case or a unit (use case; the route only translates HTTP).

Scope and body visibility come from ``contracts.access``; a case one may not see, or one with no message
one may see, answers 404 so its existence is not confirmed. Every look-up of a case's or a unit's messages is
audited (``message.read`` / ``message.list``)."""

from __future__ import annotations

from typing import Any

from contracts.access import covers_unit, may_read_message_body, message_log_scope
from contracts.claims import Claims
from contracts.errors import ApiError
from notify.audit import Audit
from notify.messages.model import Message
from notify.messages.store import MessageStore
from notify.messages.templates import Templates


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Invalid(ApiError):
    status = 422


def _view(message: Message, claims: Claims, templates: Templates) -> dict[str, Any]:
    kind = message.recipient.partition(":")[0]
    body = None
    if may_read_message_body(claims, kind, message.unit_code or ""):
        body = templates.render(message.template, message.channel, message.context).text
    return {
        "id": message.id, "template": message.template, "channel": message.channel.value,
        "recipient_kind": kind, "unit_code": message.unit_code, "case_id": message.case_id,
        "state": message.state.value, "created_at": message.created_at.isoformat(), "attempts": message.attempts,
        "provider": message.provider, "provider_ref": message.provider_ref, "receipt": message.receipt,
        "reason": message.reason, "address_hint": message.address_hint, "body": body,
    }


def look_up(store: MessageStore, templates: Templates, audit: Audit, claims: Claims, *,
            case_id: str | None = None, unit_code: str | None = None) -> list[dict[str, Any]]:
    if (case_id is None) == (unit_code is None):
        raise Invalid("messages.query", "ระบุเลขเรื่องหรือรหัสหน่วยงานอย่างใดอย่างหนึ่ง",
                      "Give either case_id or unit_code, not both.", field="case_id")
    scope = message_log_scope(claims)
    if scope is None:
        raise Forbidden("access.forbidden", "ท่านไม่มีสิทธิ์ดูประวัติการแจ้งเตือน",
                        "You may not look up notifications.")
    if unit_code is not None:
        # A unit's list names its debtors' cases (with masked numbers): audited like a case list.
        allowed = covers_unit(scope, unit_code)
        audit.record(claims, "message.list", "allowed" if allowed else "denied", target=f"unit:{unit_code}")
        if not allowed:
            raise Forbidden("access.forbidden", "หน่วยงานนี้อยู่นอกพื้นที่ของท่าน", "This unit is outside your area.")
        return [_view(m, claims, templates) for m in store.for_unit(unit_code)]
    visible = [m for m in store.for_case(case_id or "") if covers_unit(scope, m.unit_code or "")]
    audit.record(claims, "message.read", "allowed" if visible else "denied", case_id=case_id)
    if not visible:
        raise NotFound("messages.not_found", "ไม่พบการแจ้งเตือนของเรื่องนี้", "No notifications found for this case.")
    return [_view(m, claims, templates) for m in visible]
