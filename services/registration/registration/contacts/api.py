"""``GET /api/v1/contacts/cases/{case_id}``: the debtor's phone for notify's service account (audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from contracts.api import error_responses
from contracts.claims import CurrentClaims
from registration.contacts.use_cases import debtor_contact
from registration.web.context import actor

router = APIRouter(prefix="/api/v1/contacts", tags=["contacts"])


class ContactOut(BaseModel):
    case_id: str
    district_code: str
    phone: str | None = Field(description="โทรศัพท์ลูกหนี้ (E.164) / the debtor's phone, E.164, if given")
    line_user_id: str | None = Field(description="ยังไม่เก็บ / not collected yet: always null")


@router.get("/cases/{case_id}", response_model=ContactOut, responses=error_responses(401, 403, 404))
async def contact_of_case(
    claims: CurrentClaims, request: Request,
    case_id: Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")],
) -> ContactOut:
    """ข้อมูลติดต่อลูกหนี้สำหรับบริการแจ้งเตือน / The debtor's contact, for notify's service account only."""
    state = request.app.state
    found = await run_in_threadpool(debtor_contact, state.cases, state.audit, claims, actor(request, claims),
                                    case_id)
    return ContactOut(**found)
