"""JSON API for registrations: thin; the rules are in ``intake`` and ``contracts.access``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request, status

from contracts.api import error_responses
from contracts.claims import CurrentClaims
from registration.cases.events import Actor
from registration.intake.schemas import (
    AlreadyRegisteredOut,
    CaseChanged,
    CreditorsRequest,
    DebtsRequest,
    RegistrationCreated,
    RegistrationOut,
    RegistrationRequest,
)
from registration.intake.use_cases import Intake
from registration.intake.views import case_changed, registration_out
from registration.kernel.limits import MAX_CREDITORS_PER_CASE
from registration.kernel.thai import normalise_digits
from registration.web.api_limits import ApiLimits
from registration.web.context import actor

router = APIRouter(prefix="/api/v1/registrations", tags=["registrations"])


# Dependencies without I/O are async so FastAPI does not send each to the thread pool.
async def _intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


async def _actor(request: Request, claims: CurrentClaims) -> Actor:
    return actor(request, claims)


async def _limits(request: Request, _claims: CurrentClaims) -> ApiLimits:
    """Spends the client address's budget: after the token is checked (401 comes before 429), before the body's
    content is (a flood of invalid bodies is limited too). The citizen's budget is spent in the handler."""
    limits: ApiLimits = request.app.state.api_limits
    limits.check_address(request)
    return limits


Uses = Annotated[Intake, Depends(_intake)]
Acting = Annotated[Actor, Depends(_actor)]
Limited = Annotated[ApiLimits, Depends(_limits)]
CaseId = Annotated[str, Path(max_length=64)]
# 401, 400/413/422 (body, parameters) and 404 (path) are added to every route by contracts.api.document_errors.
_ERRORS = error_responses(403)
_LIMITED = error_responses(429)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RegistrationCreated,
             responses=error_responses(403, 429, models={409: AlreadyRegisteredOut}))
def register(
    body: RegistrationRequest, claims: CurrentClaims, actor: Acting, intake: Uses, limits: Limited,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=128)] = None,
) -> RegistrationCreated:
    """ลงทะเบียนลูกหนี้นอกระบบ. A citizen registers only themself (self_online/thaid_app); registrars and
    district officers register at their desk (desk/paper) with the unit from their token."""
    limits.check_citizen(claims, normalise_digits(body.debtor.citizen_id or ""))
    return RegistrationCreated(**intake.register(body, claims, actor, idempotency_key).as_doc())


@router.get("/{receipt_no}", response_model=RegistrationOut, responses=_ERRORS)
def get_registration(receipt_no: Annotated[str, Path(max_length=32)], claims: CurrentClaims, actor: Acting,
                     intake: Uses) -> RegistrationOut:
    """The case, for its debtor or staff whose unit covers it; anyone else gets 404."""
    return registration_out(intake.read(receipt_no, claims, actor))


@router.post("/{case_id}/creditors", response_model=CaseChanged, responses={**_ERRORS, **_LIMITED})
def add_creditors(case_id: CaseId, body: CreditorsRequest, claims: CurrentClaims, actor: Acting,
                  intake: Uses, limits: Limited) -> CaseChanged:
    """เพิ่มเจ้าหนี้ (with their debts) to an existing case: the debtor or staff of its unit."""
    limits.check_citizen(claims)
    return case_changed(intake.add_creditors(case_id, body, claims, actor))


@router.post("/{case_id}/creditors/{creditor_no}/debts", response_model=CaseChanged,
             responses={**_ERRORS, **_LIMITED})
def add_debts(case_id: CaseId, creditor_no: Annotated[int, Path(ge=1, le=MAX_CREDITORS_PER_CASE)], body: DebtsRequest,
              claims: CurrentClaims, actor: Acting, intake: Uses, limits: Limited) -> CaseChanged:
    """เพิ่มหนี้ to a creditor already on the case (``creditor_no`` counts from 1; a case has at most
    ``MAX_CREDITORS_PER_CASE`` creditors, see docs/limits.md)."""
    limits.check_citizen(claims)
    return case_changed(intake.add_debts(case_id, creditor_no, body, claims, actor))

