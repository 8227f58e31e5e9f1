"""Casework over HTTP: what each action takes and what the API answers.

Every change carries ``revision``, the case's revision the client last saw: if someone else saved the case
since, the change is refused with 409 ``case.changed_meanwhile`` (its ``detail.revision`` is the current one)
and nothing is overwritten. Codes are the contracts' (``casework.vocabulary`` has their Thai labels).
Amounts are baht as text (``"12,500.50"``) or a JSON number of baht; dates ``YYYY-MM-DD`` or ``DD/MM/YYYY``
(CE or BE year); date-times ``YYYY-MM-DDTHH:MM`` in Bangkok time unless an offset is given. Pydantic checks
only the shape; the use cases check the content, with Thai messages per field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from registration.cases.case import Case, ContactAttempt, MediationSession, Referral, TimelineEntry, Transfer
from registration.casework import transitions
from registration.casework.vocabulary import EVENT, STATUS

ContactMethod = Literal["official_letter", "phone", "community_leader", "home_visit", "other"]
ContactResult = Literal["reached", "not_reached", "wrong_number", "moved_away", "letter_sent"]
Decision = Literal["wants_mediation", "declined", "unreachable"]
MediationResult = Literal["agreement", "no_agreement", "creditor_absent", "debtor_absent"]
ReferralTo = Literal["police", "prosecution", "gsb", "baac", "jobs", "training", "legal_aid", "other_help"]
ReferralReason = Literal["excessive_interest", "threats", "refinancing", "livelihood", "legal", "other"]
CloseReason = Literal["resolved", "declined", "unreachable", "referred", "moved_abroad", "deceased", "duplicate",
                      "other"]
TransferRefusal = Literal["not_in_area", "already_handled", "other"]


def _number_as_text(value: Any) -> Any:
    """A JSON number of baht becomes its shortest decimal text, parsed exactly like typed text."""
    if isinstance(value, bool):
        return value  # refused by the str type: true is not an amount
    if isinstance(value, int | float):
        return repr(value)
    return value


Money = Annotated[str, Field(max_length=32, examples=["12,500.50"]), BeforeValidator(_number_as_text)]
Percent = Annotated[str, Field(max_length=16, examples=["12", "1.25"]), BeforeValidator(_number_as_text)]
DateText = Annotated[str, Field(max_length=32, examples=["2025-01-31", "31/01/2568"])]
DateTimeText = Annotated[str, Field(max_length=40, examples=["2025-01-31T09:30", "2568-01-31 09:30"])]
Note = Annotated[str, Field(max_length=500)]
Short = Annotated[str, Field(max_length=200)]
Revision = Annotated[int, Field(ge=1, le=2**31, description="revision ของเรื่องที่ผู้บันทึกเห็นล่าสุด / the case's "
                                                             "revision the client last saw")]


class _Body(BaseModel):
    # Unknown fields are refused (with a Thai message) rather than silently dropped.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ChangeIn(_Body):
    revision: Revision


class ContactIn(ChangeIn):
    method: ContactMethod = Field(description="วิธีติดต่อ")
    result: ContactResult = Field(description="ผลการติดต่อ")
    contacted_on: DateText = Field(description="วันที่ติดต่อ (ไม่เป็นวันในอนาคต)")
    note: Note | None = None
    letter_no: Annotated[str, Field(max_length=64)] | None = Field(None, description="เลขที่หนังสือออก (หนังสือราชการ)")


class DecisionIn(ChangeIn):
    decision: Decision = Field(description="ความประสงค์ของลูกหนี้")
    note: Note | None = None


class SessionIn(ChangeIn):
    scheduled_at: DateTimeText = Field(description="วันเวลานัดไกล่เกลี่ย")
    place: Short = Field(description="สถานที่")
    mediator: Short = Field(description="ผู้ไกล่เกลี่ย")


class RescheduleIn(ChangeIn):
    scheduled_at: DateTimeText = Field(description="วันเวลานัดใหม่")
    place: Short | None = Field(None, description="สถานที่ (ถ้าเปลี่ยน)")
    mediator: Short | None = Field(None, description="ผู้ไกล่เกลี่ย (ถ้าเปลี่ยน)")


class NoteIn(ChangeIn):
    note: Note | None = None


class ReopenIn(ChangeIn):
    note: Note = Field(description="เหตุผลที่เปิดเรื่องอีกครั้ง")


class ResultIn(ChangeIn):
    debtor_present: bool = Field(description="ลูกหนี้มาตามนัด")
    creditor_present: bool = Field(description="เจ้าหนี้มาตามนัด")
    result: MediationResult = Field(description="ผลการไกล่เกลี่ย")
    debt_before: Money | None = Field(None, description="ยอดหนี้ก่อนไกล่เกลี่ย (บาท); ถ้าคู่กรณีไม่มา ใช้ยอดคงค้างที่ลงทะเบียน")
    debt_after: Money | None = Field(None, description="ยอดหนี้หลังไกล่เกลี่ย (บาท) เมื่อตกลงกันได้")
    instalment: Money | None = Field(None, description="ค่างวดที่ตกลง (บาท)")
    interest_per_year: Percent | None = Field(None, description="ดอกเบี้ยที่ตกลง ร้อยละต่อปี (ไม่เกิน 15)")
    terms: Annotated[str, Field(max_length=1000)] | None = Field(None, description="เงื่อนไขที่ตกลง")


class ReferralIn(ChangeIn):
    to: ReferralTo = Field(description="ส่งต่อไปยัง")
    reason: ReferralReason = Field(description="เหตุผล")
    note: Note | None = None


class CloseIn(ChangeIn):
    reason: CloseReason = Field(description="เหตุผลที่ปิดเรื่อง (การถอนเรื่องใช้ /withdraw)")
    note: Note | None = Field(None, description="หมายเหตุ (ต้องระบุเมื่อเหตุผลคือ อื่น ๆ)")


class TransferIn(ChangeIn):
    to_district_code: Annotated[str, Field(max_length=8)] = Field(description="รหัสอำเภอที่จะโอนไป 4 หลัก")
    reason: Short | None = Field(None, description="เหตุผล เช่น ลูกหนี้ย้ายที่อยู่")


class TransferRefusalIn(ChangeIn):
    reason: TransferRefusal = Field(description="เหตุผลที่ไม่รับโอน")
    note: Note | None = None


class AssignmentsIn(_Body):
    case_ids: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=1000)
    officer_sub: Annotated[str, Field(max_length=128)] | None = Field(
        None, description="รหัสผู้ใช้ (sub) ของเจ้าหน้าที่ที่มอบหมาย; null = ยกเลิกการมอบหมาย")


# ---- answers ----

class Labelled(BaseModel):
    code: str
    th: str
    en: str


class ContactOut(BaseModel):
    method: str
    result: str
    contacted_on: date
    by: str
    at: datetime
    note: str | None
    letter_no: str | None


class SessionOut(BaseModel):
    no: int
    scheduled_at: datetime
    place: str
    mediator: str
    state: str
    debtor_present: bool | None
    creditor_present: bool | None
    result: str | None
    debt_before_satang: int | None
    debt_after_satang: int | None
    instalment_satang: int | None
    interest_bp_per_year: int | None
    terms: str | None


class ReferralOut(BaseModel):
    to: str
    reason: str
    at: datetime
    by: str
    note: str | None


class TransferOut(BaseModel):
    to_province_code: str
    to_district_code: str
    requested_at: datetime
    requested_by: str
    reason: str | None
    state: str
    decided_at: datetime | None
    decided_by: str | None
    refusal_reason: str | None
    from_province_code: str | None
    from_district_code: str | None


class TimelineOut(BaseModel):
    at: datetime
    kind: str
    th: str
    en: str
    by: str
    by_unit: str | None
    details: dict[str, Any]


class DebtorOut(BaseModel):
    title: str | None
    given_name: str
    family_name: str
    phone: str | None
    address_line: str
    subdistrict_code: str
    district_code: str
    province_code: str


class CaseworkOut(BaseModel):
    """เรื่องของลูกหนี้และการดำเนินงานของอำเภอ / a case and its casework (reading it is audited)."""

    case_id: str
    receipt_no: str
    revision: int
    status: Labelled
    province_code: str
    district_code: str
    debtor: DebtorOut
    creditor_count: int
    debt_count: int
    principal_satang: int
    outstanding_satang: int
    excessive_interest: bool
    threatened: bool
    collateral_held: bool
    assigned_to: str | None
    next_action_due: date | None
    decision: str | None
    contacts: list[ContactOut]
    sessions: list[SessionOut]
    referrals: list[ReferralOut]
    closure_reason: str | None
    closure_note: str | None
    transfer: TransferOut | None
    transfers: list[TransferOut]
    timeline: list[TimelineOut]
    allowed_actions: list[str] = Field(description="การดำเนินการที่ทำได้ในสถานะนี้ / actions the status allows")
    suggested_referrals: list[str] = Field(description="ข้อเสนอการส่งต่อ (ไม่บังคับ) / sensible referrals, not forced")


class CaseRef(BaseModel):
    case_id: str
    revision: int
    status: str


class BulkFailure(BaseModel):
    case_id: str
    code: str
    th: str
    en: str


class AssignmentsOut(BaseModel):
    """ผลรายเรื่อง / per case: changed, already as asked, or not changed and why."""

    changed: list[CaseRef]
    unchanged: list[str]
    failed: list[BulkFailure]


def _contact(c: ContactAttempt) -> ContactOut:
    return ContactOut(method=c.method, result=c.result, contacted_on=c.contacted_on, by=c.by, at=c.at, note=c.note,
                      letter_no=c.letter_no)


def _session(s: MediationSession) -> SessionOut:
    return SessionOut(**{name: getattr(s, name) for name in SessionOut.model_fields})


def _referral(r: Referral) -> ReferralOut:
    return ReferralOut(to=r.to, reason=r.reason, at=r.at, by=r.by, note=r.note)


def _transfer(t: Transfer) -> TransferOut:
    return TransferOut(**{name: getattr(t, name) for name in TransferOut.model_fields})


def _timeline(t: TimelineEntry) -> TimelineOut:
    th, en = EVENT.get(t.kind, (t.kind, t.kind))
    return TimelineOut(at=t.at, kind=t.kind, th=th, en=en, by=t.by, by_unit=t.by_unit, details=t.details)


def case_out(case: Case) -> CaseworkOut:
    d, a = case.debtor, case.debtor.address
    th, en = STATUS[case.status]
    return CaseworkOut(
        case_id=case.id, receipt_no=case.receipt_no, revision=case.revision,
        status=Labelled(code=case.status.value, th=th, en=en),
        province_code=case.province_code, district_code=case.district_code,
        debtor=DebtorOut(title=d.title, given_name=d.given_name, family_name=d.family_name, phone=d.phone,
                         address_line=a.line, subdistrict_code=a.subdistrict_code, district_code=a.district_code,
                         province_code=a.province_code),
        creditor_count=case.totals.creditor_count, debt_count=case.totals.debt_count,
        principal_satang=case.totals.principal_satang, outstanding_satang=case.totals.outstanding_satang,
        excessive_interest=case.excessive_interest, threatened=case.threatened, collateral_held=case.collateral_held,
        assigned_to=case.assigned_to, next_action_due=case.next_action_due, decision=case.decision,
        contacts=[_contact(c) for c in case.contacts], sessions=[_session(s) for s in case.sessions],
        referrals=[_referral(r) for r in case.referrals], closure_reason=case.closure_reason,
        closure_note=case.closure_note, transfer=_transfer(case.transfer) if case.transfer else None,
        transfers=[_transfer(t) for t in case.transfers], timeline=[_timeline(t) for t in case.timeline],
        allowed_actions=[a.value for a in transitions.actions_from(case.status)],
        suggested_referrals=list(transitions.suggested_referrals(case)),
    )
