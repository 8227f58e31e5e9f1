"""HTTP API for registrations: thin; turns requests into repository calls."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field

from contracts.claims import Claims, CurrentClaims, Role
from registration.adapters.mongo import AlreadyRegistered, CaseRepository
from registration.adapters.relay import OutboxRelay
from registration.domain.case import Channel, Creditor, Debt, NewCase

router = APIRouter(prefix="/api/v1/registrations", tags=["registrations"])
STAFF = (Role.REGISTRAR, Role.DISTRICT_OFFICER)
FORBIDDEN = {"th": "ไม่มีสิทธิ์ดำเนินการนี้", "en": "Not allowed"}


class DebtIn(BaseModel):
    principal_satang: int = Field(ge=0)
    outstanding_satang: int = Field(ge=0)


class CreditorIn(BaseModel):
    debts: list[DebtIn] = Field(default_factory=list, max_length=50)


class RegistrationIn(BaseModel):
    citizen_id: str = Field(pattern=r"^[0-9]{13}$")
    province_code: str = Field(pattern=r"^[0-9]{2}$")
    district_code: str = Field(pattern=r"^[0-9]{4}$")
    channel: Channel
    creditors: list[CreditorIn] = Field(default_factory=list, max_length=50)


class RegistrationOut(BaseModel):
    case_id: str
    receipt_no: str


def _cases(request: Request) -> CaseRepository:
    repo: CaseRepository = request.app.state.cases
    return repo


Cases = Annotated[CaseRepository, Depends(_cases)]


def _authorise_submission(claims: Claims, body: RegistrationIn) -> str | None:
    """Returns the registration unit code; a citizen may register only themself."""
    if claims.has(*STAFF) and body.channel in (Channel.DESK, Channel.PAPER):
        return claims.unit_code
    if Role.CITIZEN in claims.roles and claims.citizen_id == body.citizen_id and body.channel in (
        Channel.SELF_ONLINE, Channel.THAID_APP
    ):
        return None
    raise HTTPException(status.HTTP_403_FORBIDDEN, detail=FORBIDDEN)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RegistrationOut)
def register(body: RegistrationIn, claims: CurrentClaims, cases: Cases, request: Request) -> Any:
    unit_code = _authorise_submission(claims, body)
    case = NewCase(
        citizen_id=body.citizen_id,
        province_code=body.province_code,
        district_code=body.district_code,
        channel=body.channel,
        unit_code=unit_code,
        creditors=tuple(Creditor(tuple(Debt(**d.model_dump()) for d in c.debts)) for c in body.creditors),
    )
    try:
        doc = cases.register(case)
    except AlreadyRegistered as already:
        detail = {"th": "ท่านลงทะเบียนไว้แล้ว", "en": "Already registered",
                  "case_id": already.existing["_id"], "receipt_no": already.existing["receipt_no"]}
        raise HTTPException(status.HTTP_409_CONFLICT, detail=detail) from None
    relay: OutboxRelay = request.app.state.relay
    relay.wake()
    return RegistrationOut(case_id=doc["_id"], receipt_no=doc["receipt_no"])


@router.get("/{receipt_no}", response_model=RegistrationOut)
def get_registration(receipt_no: str, claims: CurrentClaims, cases: Cases) -> Any:
    doc = cases.find_by_receipt(receipt_no)
    owner = doc is not None and claims.citizen_id == doc["citizen_id"] and Role.CITIZEN in claims.roles
    staff = doc is not None and claims.has(*STAFF) and claims.unit_code in (doc["unit_code"], doc["district_code"])
    if doc is None or not (owner or staff):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail={"th": "ไม่พบรายการ", "en": "Not found"})
    return RegistrationOut(case_id=doc["_id"], receipt_no=doc["receipt_no"])
