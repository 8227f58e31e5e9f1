"""Activation's JSON API (bearer tokens).

For notify's service account only (``contracts.access.may_read_staff_contact``), every call audited:
- ``GET /api/v1/staff-contacts/{user_id}``: where to send the welcome (the account's e-mail), nothing else;
- ``POST /api/v1/staff-contacts/{user_id}/activation-link``: a fresh single-use link for an open request (404
  when there is none: notify cannot mint links for accounts nobody asked to welcome).
For administrators: ``POST /api/v1/staff/{user_id}/activation`` sends the welcome again (through notify).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool

from contracts.access import may_read_staff_contact
from contracts.api import error_responses
from contracts.claims import Claims, CurrentClaims
from identity.activation.store import ActivationStore
from identity.activation.use_cases import AlreadyActive, Welcomes, issue_link, resend
from identity.api.deps import record_audit
from identity.api.staff_common import FORBIDDEN, NOT_FOUND, directory_of, require_provisioner
from identity.domain.provisioning import NotAllowed, NotFound

router = APIRouter(tags=["activation"])
UserId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
NOTIFY_ONLY = {"code": "staff_contacts.forbidden", "th": "ข้อมูลติดต่อเจ้าหน้าที่อ่านได้เฉพาะบริการแจ้งเตือน",
               "en": "Staff contacts are for the notification service only"}
NO_REQUEST = {"code": "activation.not_requested", "th": "บัญชีนี้ไม่มีคำขอเปิดใช้งานที่ยังไม่ได้ใช้",
              "en": "This account has no open activation request"}
ALREADY_ACTIVE = {"code": "activation.already_active", "th": "บัญชีนี้เปิดใช้งานแล้ว ผู้ใช้ลงชื่อเข้าใช้ได้ตามปกติ",
                  "en": "This account is already activated; its holder signs in as usual"}


def _notify_only(request: Request, claims: Claims, action: str, user_id: str) -> None:
    if not may_read_staff_contact(claims):
        record_audit(request, claims, action, outcome="denied", target=user_id)
        raise HTTPException(403, detail=NOTIFY_ONLY)


@router.get("/api/v1/staff-contacts/{user_id}", responses=error_responses(401, 403, 404, 503))
def staff_contact(user_id: UserId, claims: CurrentClaims, request: Request) -> dict[str, Any]:
    """อีเมลของเจ้าหน้าที่สำหรับบริการแจ้งเตือน / A staff account's e-mail, for notify's service account only."""
    _notify_only(request, claims, "staff.contact_read", user_id)
    account = directory_of(request).get(user_id)
    if account is None or account.role is None:  # staff accounts only (a staff role), never a citizen's
        record_audit(request, claims, "staff.contact_read", outcome="denied", target=user_id)
        raise HTTPException(404, detail=NOT_FOUND)
    record_audit(request, claims, "staff.contact_read", target=user_id)
    return {"id": account.id, "email": account.email, "unit_code": account.unit_code, "enabled": account.enabled}


@router.post("/api/v1/staff-contacts/{user_id}/activation-link", responses=error_responses(401, 403, 404))
async def activation_link(user_id: UserId, claims: CurrentClaims, request: Request) -> dict[str, Any]:
    """ลิงก์เปิดใช้บัญชี (ใช้ครั้งเดียว) สำหรับอีเมลต้อนรับ / A single-use activation link for the welcome."""
    _notify_only(request, claims, "staff.activation_link", user_id)
    store: ActivationStore = request.app.state.activations
    link = await run_in_threadpool(issue_link, store, user_id, request.app.state.settings.public_url)
    if link is None:
        record_audit(request, claims, "staff.activation_link", outcome="denied", target=user_id)
        raise HTTPException(404, detail=NO_REQUEST)
    record_audit(request, claims, "staff.activation_link", target=user_id)
    return {"activation_url": link.url, "expires_at": datetime.fromtimestamp(link.expires_ms / 1000, UTC).isoformat()}


@router.post("/api/v1/staff/{user_id}/activation", status_code=202, responses=error_responses(401, 403, 404, 409, 503))
def resend_activation(user_id: UserId, claims: CurrentClaims, request: Request) -> dict[str, Any]:
    """ส่งอีเมลเปิดใช้บัญชีอีกครั้ง / Send the welcome with a new activation link again (the old link stops
    working). Accounts outside one's unit are 404, like deactivation."""
    resend_welcome(request, claims, user_id)
    return {"id": user_id, "welcome": "queued"}


def resend_welcome(request: Request, claims: Claims, user_id: str) -> None:
    """The API's and the directory page's resend: 403 for non-provisioners, 404 outside one's unit (or a
    deactivated account), 409 once activated; audited either way."""
    require_provisioner(claims)
    state = request.app.state
    welcomes: Welcomes = state.welcomes
    try:
        resend(state.activations, welcomes, directory_of(request), claims, user_id)
    except (NotFound, NotAllowed):
        record_audit(request, claims, "staff.activation_resend", outcome="denied", target=user_id[:128])
        raise HTTPException(404, detail=NOT_FOUND) from None
    except AlreadyActive:
        raise HTTPException(409, detail=ALREADY_ACTIVE) from None
    record_audit(request, claims, "staff.activation_resend", target=user_id)


__all__ = ["FORBIDDEN", "router"]
