"""JSON API for district casework: thin; the rules are in ``casework.use_cases`` and ``contracts.access``.

Each change is a POST (or PATCH for a new time) of what happened, carrying the ``revision`` the client saw,
and answers with the case as it is after the change. Refusals: 404 for a case one may not see, 403 for a case
one may read but not work, 409 ``case.changed_meanwhile`` (someone saved first; ``detail.revision`` is the
current one) or ``casework.transition_refused`` (not possible in the case's status, explained in Thai), 422
per field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from contracts.api import error_responses
from contracts.claims import CurrentClaims
from registration.cases.events import Actor
from registration.casework.schemas import (
    AssignmentsIn,
    AssignmentsOut,
    BulkFailure,
    CaseRef,
    CaseworkOut,
    ChangeIn,
    CloseIn,
    ContactIn,
    DecisionIn,
    NoteIn,
    ReferralIn,
    ReopenIn,
    RescheduleIn,
    ResultIn,
    SessionIn,
    TransferIn,
    TransferRefusalIn,
    case_out,
)
from registration.casework.use_cases import Casework
from registration.web.context import actor

router = APIRouter(prefix="/api/v1/casework", tags=["casework"])


# Dependencies without I/O are async so FastAPI does not send each to the thread pool.
async def _casework(request: Request) -> Casework:
    casework: Casework = request.app.state.casework
    return casework


async def _actor(request: Request, claims: CurrentClaims) -> Actor:
    return actor(request, claims)


Uses = Annotated[Casework, Depends(_casework)]
Acting = Annotated[Actor, Depends(_actor)]
CaseId = Annotated[str, Path(max_length=64)]
SessionNo = Annotated[int, Path(ge=1, le=1000)]
# 401, 400/413/422 (body, parameters) and 404 (path) are added to every route by contracts.api.document_errors.
_CHANGE = error_responses(403, 409)


@router.get("/cases/{case_id}", response_model=CaseworkOut)
def get_case(case_id: CaseId, claims: CurrentClaims, actor: Acting, casework: Uses) -> CaseworkOut:
    """เรื่องของลูกหนี้กับการดำเนินงานทั้งหมด: the case, its casework and timeline, for the officers of its
    district, its province and DOPA (and the receiving district of a pending transfer). Audited."""
    return case_out(casework.open(case_id, claims, actor))


@router.post("/cases/{case_id}/contacts", response_model=CaseworkOut, responses=_CHANGE)
def record_contact(case_id: CaseId, body: ContactIn, claims: CurrentClaims, actor: Acting,
                   casework: Uses) -> CaseworkOut:
    """บันทึกการติดต่อลูกหนี้: an attempt by letter, phone, community leader or home visit, and its result."""
    return case_out(casework.record_contact(
        case_id, body.revision, claims, actor, method=body.method, result=body.result,
        contacted_on=body.contacted_on, note=body.note, letter_no=body.letter_no))


@router.post("/cases/{case_id}/decision", response_model=CaseworkOut, responses=_CHANGE)
def record_decision(case_id: CaseId, body: DecisionIn, claims: CurrentClaims, actor: Acting,
                    casework: Uses) -> CaseworkOut:
    """บันทึกความประสงค์ของลูกหนี้: wants mediation, declines, or unreachable after repeated attempts."""
    return case_out(casework.record_decision(case_id, body.revision, claims, actor, decision=body.decision,
                                             note=body.note))


@router.post("/cases/{case_id}/mediation", response_model=CaseworkOut, responses=_CHANGE)
def schedule_mediation(case_id: CaseId, body: SessionIn, claims: CurrentClaims, actor: Acting,
                       casework: Uses) -> CaseworkOut:
    """นัดไกล่เกลี่ย: a new session (numbered from 1), when, where and who mediates."""
    return case_out(casework.schedule_mediation(case_id, body.revision, claims, actor, scheduled_at=body.scheduled_at,
                                                place=body.place, mediator=body.mediator))


@router.patch("/cases/{case_id}/mediation/{session_no}", response_model=CaseworkOut, responses=_CHANGE)
def reschedule_mediation(case_id: CaseId, session_no: SessionNo, body: RescheduleIn, claims: CurrentClaims,
                         actor: Acting, casework: Uses) -> CaseworkOut:
    """เลื่อนนัดไกล่เกลี่ย: a new time (and place or mediator, if given) for the scheduled session."""
    return case_out(casework.reschedule_mediation(case_id, body.revision, claims, actor, session_no=session_no,
                                                  scheduled_at=body.scheduled_at, place=body.place,
                                                  mediator=body.mediator))


@router.post("/cases/{case_id}/mediation/{session_no}/cancellation", response_model=CaseworkOut, responses=_CHANGE)
def cancel_mediation(case_id: CaseId, session_no: SessionNo, body: NoteIn, claims: CurrentClaims, actor: Acting,
                     casework: Uses) -> CaseworkOut:
    """ยกเลิกนัดไกล่เกลี่ย: the scheduled session will not take place."""
    return case_out(casework.cancel_mediation(case_id, body.revision, claims, actor, session_no=session_no,
                                              note=body.note))


@router.post("/cases/{case_id}/mediation/{session_no}/result", response_model=CaseworkOut, responses=_CHANGE)
def conclude_mediation(case_id: CaseId, session_no: SessionNo, body: ResultIn, claims: CurrentClaims,
                       actor: Acting, casework: Uses) -> CaseworkOut:
    """บันทึกผลการไกล่เกลี่ย: attendance and the result; with an agreement, the debt after and the new terms."""
    return case_out(casework.conclude_mediation(
        case_id, body.revision, claims, actor, session_no=session_no, debtor_present=body.debtor_present,
        creditor_present=body.creditor_present, result=body.result, debt_before_satang=body.debt_before,
        debt_after_satang=body.debt_after, instalment_satang=body.instalment,
        interest_bp_per_year=body.interest_per_year, terms=body.terms))


@router.post("/cases/{case_id}/referrals", response_model=CaseworkOut, responses=_CHANGE)
def refer(case_id: CaseId, body: ReferralIn, claims: CurrentClaims, actor: Acting, casework: Uses) -> CaseworkOut:
    """ส่งต่อหน่วยงาน: police or prosecution, a state bank (GSB, BAAC), jobs, training, legal aid."""
    return case_out(casework.refer(case_id, body.revision, claims, actor, to=body.to, reason=body.reason,
                                   note=body.note))


@router.post("/cases/{case_id}/close", response_model=CaseworkOut, responses=_CHANGE)
def close(case_id: CaseId, body: CloseIn, claims: CurrentClaims, actor: Acting, casework: Uses) -> CaseworkOut:
    """ปิดเรื่อง with a reason (a note is required for "other")."""
    return case_out(casework.close(case_id, body.revision, claims, actor, reason=body.reason, note=body.note))


@router.post("/cases/{case_id}/withdraw", response_model=CaseworkOut, responses=_CHANGE)
def withdraw(case_id: CaseId, body: NoteIn, claims: CurrentClaims, actor: Acting, casework: Uses) -> CaseworkOut:
    """ลูกหนี้ถอนเรื่อง: the case ends as withdrawn."""
    return case_out(casework.withdraw(case_id, body.revision, claims, actor, note=body.note))


@router.post("/cases/{case_id}/reopen", response_model=CaseworkOut, responses=_CHANGE)
def reopen(case_id: CaseId, body: ReopenIn, claims: CurrentClaims, actor: Acting, casework: Uses) -> CaseworkOut:
    """เปิดเรื่องอีกครั้ง (why is required): back to contacting, or to mediation if the debtor wanted it."""
    return case_out(casework.reopen(case_id, body.revision, claims, actor, note=body.note))


@router.post("/cases/{case_id}/transfer", response_model=CaseworkOut, responses=_CHANGE)
def request_transfer(case_id: CaseId, body: TransferIn, claims: CurrentClaims, actor: Acting,
                     casework: Uses) -> CaseworkOut:
    """ขอโอนเรื่องไปอำเภออื่น: the case stays here until the receiving district accepts."""
    return case_out(casework.request_transfer(case_id, body.revision, claims, actor,
                                              to_district_code=body.to_district_code, reason=body.reason))


@router.post("/cases/{case_id}/transfer/accept", response_model=CaseworkOut, responses=_CHANGE)
def accept_transfer(case_id: CaseId, body: ChangeIn, claims: CurrentClaims, actor: Acting,
                    casework: Uses) -> CaseworkOut:
    """รับโอนเรื่อง (the receiving district's officers only): the case, its totals and worklist move here."""
    return case_out(casework.accept_transfer(case_id, body.revision, claims, actor))


@router.post("/cases/{case_id}/transfer/refuse", response_model=CaseworkOut, responses=_CHANGE)
def refuse_transfer(case_id: CaseId, body: TransferRefusalIn, claims: CurrentClaims, actor: Acting,
                    casework: Uses) -> CaseworkOut:
    """ไม่รับโอนเรื่อง (the receiving district's officers only): the case stays with the sending district."""
    return case_out(casework.refuse_transfer(case_id, body.revision, claims, actor, reason=body.reason,
                                             note=body.note))


@router.post("/assignments", response_model=AssignmentsOut, responses=error_responses(403))
def assign(body: AssignmentsIn, claims: CurrentClaims, actor: Acting, casework: Uses) -> AssignmentsOut:
    """มอบหมายเจ้าหน้าที่ for many cases at once (or unassign with ``officer_sub: null``). Each case is done on its
    own, as it is now: the answer lists what changed, what already was so, and what failed and why (the
    refusal a single action would give). Only those who work a district's cases may ask at all (403)."""
    result = casework.assign(body.case_ids, body.officer_sub, claims, actor)
    return AssignmentsOut(
        changed=[CaseRef(case_id=c.id, revision=c.revision, status=c.status.value) for c in result],
        unchanged=result.unchanged,
        failed=[BulkFailure(case_id=case_id, code=e.code, th=e.th, en=e.en) for case_id, e in result.failed.items()],
    )
