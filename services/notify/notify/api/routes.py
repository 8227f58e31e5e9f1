"""Notify's HTTP API: staff look-ups of what was sent (bearer tokens), template previews (DOPA), and the SMS
gateway's delivery-report callback (HTTP basic auth with the shared secret). Routes only translate HTTP."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from contracts import registry
from contracts.api import error_responses
from contracts.claims import CurrentClaims, Role
from contracts.errors import ApiError
from notify.lookup import Forbidden, NotFound, look_up
from notify.messages.model import Channel
from notify.planning import plan
from notify.receipts import record_sms_receipt

router = APIRouter(prefix="/api/v1", tags=["notify"])
_basic = HTTPBasic(auto_error=False)


@router.get("/messages", responses=error_responses(401, 403, 404, 422))
async def list_messages(
    request: Request, claims: CurrentClaims,
    case_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] = None,
    unit_code: Annotated[str | None, Query(pattern=r"^[0-9]{2,8}$")] = None,
) -> list[dict[str, Any]]:
    """ข้อความที่ส่งสำหรับเรื่องหรือหน่วยงาน / Messages sent for a case or a unit (bodies only to those allowed)."""
    state = request.app.state
    return await run_in_threadpool(look_up, state.messages, state.templates, state.audit, claims,
                                   case_id=case_id, unit_code=unit_code)


@router.get("/templates/{template}/{channel}/preview", responses=error_responses(401, 403, 404))
def preview(request: Request, claims: CurrentClaims, template: str, channel: Channel) -> dict[str, Any]:
    """ตัวอย่างข้อความจากเหตุการณ์ตัวอย่าง / A template rendered with a contract example event (DOPA only)."""
    if not claims.has(Role.DOPA_ADMIN):
        raise Forbidden("access.forbidden", "เฉพาะผู้ดูแลระบบกรมการปกครอง", "DOPA administrators only.")
    for event_type in [t for topic in ("case-events", "report-events", "staff-events")
                       for t in registry.topic(topic).events]:
        for _, example in registry.examples(event_type, 1):
            for planned in plan(example, tuple(Channel)):
                if (planned.template, planned.channel) == (template, channel):
                    rendered = request.app.state.templates.render(template, channel, planned.context)
                    return {"template": template, "channel": channel.value, "subject": rendered.subject,
                            "text": rendered.text, "html": rendered.html}
    raise NotFound("template.not_found", "ไม่พบแม่แบบข้อความนี้", "No such template for this channel.")


@router.post("/receipts/sms", status_code=204, responses=error_responses(401, 404, 422))
async def sms_receipt(
    request: Request,
    credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
    ref: Annotated[str, Form(max_length=64)],
    status: Annotated[str, Form(max_length=20, pattern=r"^[A-Za-z_]+$")],
) -> Response:
    """รายงานการส่ง SMS จากผู้ให้บริการ / The SMS gateway's delivery report (basic auth, shared secret)."""
    settings = request.app.state.settings
    if credentials is None or not (
            secrets.compare_digest(credentials.username.encode(), settings.sms_username.encode())
            and secrets.compare_digest(credentials.password.encode(), settings.sms_receipt_secret.encode())):
        raise HTTPException(401, detail={"code": "auth.required", "th": "กรุณายืนยันตัวตน",
                                         "en": "Gateway credentials required"},
                            headers={"WWW-Authenticate": "Basic"})
    found = await run_in_threadpool(record_sms_receipt, request.app.state.messages, ref, status, datetime.now(UTC))
    if not found:
        raise NotFound("message.not_found", "ไม่พบข้อความนี้", "No such message.")
    return Response(status_code=204)


__all__ = ["ApiError", "router"]
