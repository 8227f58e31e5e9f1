"""The case page ``/casework/cases/{case_id}``: everything registered, the timeline, the next action, and the
action forms (``case_actions``) that post to ``/casework/cases/{case_id}/{action}``.

Reading goes through ``Casework.open`` (access checked, the read audited); every action through its use case
with the revision the page showed. When someone else saved the case meanwhile (409 ``case.changed_meanwhile``)
the page comes back with the case as it is now, the officer's typed values in the form and a Thai message;
field problems come back next to their fields. Province officers and DOPA see the page without forms."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from contracts.access import may_decide_transfer, may_work_case
from contracts.claims import Claims
from contracts.errors import ApiError
from registration.cases.case import Case, Status, TimelineEntry
from registration.cases.errors import Conflict, Invalid
from registration.casework import case_actions, transitions, vocabulary
from registration.casework.case_actions import BY_NAME, ActionForm
from registration.casework.pages_common import (
    be_datetime,
    be_day,
    casework,
    officers,
    posting_staff,
    scope_of,
    sign_in,
    staff,
    template_helpers,
)
from registration.casework.vocabulary import CLOSE_REASONS
from registration.kernel import admin_areas
from registration.kernel.interest import LEGAL_CAP_BP_PER_YEAR
from registration.kernel.money import format_baht
from registration.kernel.receipts import thai_date
from registration.kernel.thai import FieldError
from registration.web import forms, labels
from registration.web.context import PageProblem, WebContext, WebSession, actor, now, posted_form, web

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
Form = Annotated[FormData, Depends(posted_form)]
CaseId = Annotated[str, Path()]  # unbounded here: the use case cuts it, and a wrong one gets the 404 page
DONE = {
    "contact": ("บันทึกการติดต่อแล้ว", "Contact attempt recorded."),
    "decision": ("บันทึกความประสงค์ของลูกหนี้แล้ว", "The debtor's decision is recorded."),
    "schedule": ("นัดไกล่เกลี่ยแล้ว", "The session is scheduled."),
    "reschedule": ("เลื่อนนัดแล้ว", "The session is rescheduled."),
    "conclude": ("บันทึกผลการไกล่เกลี่ยแล้ว", "The session's result is recorded."),
    "cancel-session": ("ยกเลิกนัดแล้ว", "The session is cancelled."),
    "refer": ("บันทึกการส่งต่อแล้ว", "The referral is recorded."),
    "close": ("ปิดเรื่องแล้ว", "The case is closed."),
    "withdraw": ("บันทึกการถอนเรื่องแล้ว", "The withdrawal is recorded."),
    "reopen": ("เปิดเรื่องอีกครั้งแล้ว", "The case is open again."),
    "transfer": ("ส่งคำขอโอนเรื่องแล้ว รอให้อำเภอปลายทางตอบรับ", "Transfer requested; awaiting the other district."),
    "accept-transfer": ("รับโอนเรื่องแล้ว เรื่องนี้อยู่ในความรับผิดชอบของอำเภอท่าน",
                        "Transfer accepted: the case is now your district's."),
    "refuse-transfer": ("ปฏิเสธการรับโอนแล้ว", "Transfer refused."),
}
NEXT_STEP: dict[Status, tuple[str, str]] = {
    Status.NEW: ("ติดต่อลูกหนี้ครั้งแรก (หนังสือ โทรศัพท์ ผู้นำชุมชน หรือเยี่ยมบ้าน)",
                 "Make the first contact (letter, phone, community leader or home visit)."),
    Status.CONTACTING: ("ติดต่อลูกหนี้และสอบถามว่าประสงค์ไกล่เกลี่ยหรือไม่",
                        "Reach the debtor and ask whether they want mediation."),
    Status.WANTS_MEDIATION: ("นัดไกล่เกลี่ยกับเจ้าหนี้", "Schedule a mediation session with the creditor."),
    Status.IN_MEDIATION: ("ไกล่เกลี่ยตามนัดแล้วบันทึกผล", "Hold the session and record its result."),
    Status.DECLINED: ("ติดตามลูกหนี้ หรือปิดเรื่อง", "Follow up with the debtor, or close the case."),
    Status.UNREACHABLE: ("ลองติดต่ออีกครั้ง หรือปิดเรื่อง", "Try again to reach the debtor, or close the case."),
    Status.RESOLVED: ("ติดตามการปฏิบัติตามข้อตกลง แล้วปิดเรื่อง", "Follow up on the agreement, then close the case."),
    Status.NOT_RESOLVED: ("นัดไกล่เกลี่ยอีกครั้ง หรือส่งต่อหน่วยงาน", "Schedule another session, or refer the case."),
    Status.REFERRED: ("ติดตามผลการส่งต่อ แล้วปิดเรื่อง", "Follow up on the referral, then close the case."),
    Status.WITHDRAWN: ("ไม่มี (ลูกหนี้ถอนเรื่องแล้ว)", "None (withdrawn by the debtor)."),
    Status.CLOSED: ("ไม่มี (ปิดเรื่องแล้ว)", "None (closed)."),
}
# How a timeline entry's details read: (Thai, English) name and the vocabulary group of the value, per event kind.
_DETAIL_GROUP = {("CaseContacted", "result"): "contact_result", ("MediationConcluded", "result"): "mediation_result",
                 ("CaseReferred", "reason"): "referral_reason", ("CaseClosed", "reason"): "closure_reason",
                 ("CaseReopened", "previous_reason"): "closure_reason",
                 ("CaseTransferRefused", "reason"): "transfer_refusal"}
_DETAIL_NAME: dict[str, tuple[str, str, str | None]] = {
    "method": ("วิธี", "method", "contact_method"), "result": ("ผล", "result", None),
    "contacted_on": ("วันที่", "on", None), "letter_no": ("เลขที่หนังสือ", "letter no.", None),
    "decision": ("ความประสงค์", "decision", "decision"), "session_no": ("ครั้งที่", "session", None),
    "change": ("", "", "schedule_change"), "scheduled_at": ("นัด", "at", None), "place": ("ที่", "place", None),
    "mediator": ("ผู้ไกล่เกลี่ย", "mediator", None), "referral": ("ส่งต่อ", "to", "referral"),
    "reason": ("เหตุผล", "reason", None), "previous_reason": ("เหตุที่ปิด", "closed as", None),
    "to_district_code": ("ไปอำเภอ", "to", None), "from_district_code": ("จากอำเภอ", "from", None),
    "assigned": ("", "", None), "debt_before_satang": ("หนี้ก่อน", "debt before", None),
    "debt_after_satang": ("หนี้หลัง", "debt after", None), "instalment_satang": ("ค่างวด", "instalment", None),
    "interest_bp_per_year": ("ดอกเบี้ยต่อปี", "interest a year", None), "note": ("บันทึก", "note", None),
}


def timeline_details(entry: TimelineEntry, lang: str) -> list[tuple[str, str]]:
    """An entry's details as (name, value) pairs in the page's language; codes as words, money in baht."""
    out: list[tuple[str, str]] = []
    for key, raw in entry.details.items():
        if key not in _DETAIL_NAME or raw is None or raw == "":
            continue
        th, en, group = _DETAIL_NAME[key]
        group = _DETAIL_GROUP.get((entry.kind, key), group)
        if group:
            value = vocabulary.label(group, str(raw), lang)
        elif key == "assigned":
            words = ("assigned", "unassigned") if lang == "en" else ("มอบหมายแล้ว", "ยกเลิกการมอบหมาย")
            value = words[0] if raw else words[1]
        elif key.endswith("_satang") and isinstance(raw, int):
            value = format_baht(raw) + (" บาท" if lang != "en" else " baht")
        elif key == "interest_bp_per_year" and isinstance(raw, int):
            value = f"{raw / 100:.2f}%"
        elif key == "contacted_on":
            value = be_day(date.fromisoformat(str(raw)))
        elif key == "scheduled_at":
            value = be_datetime(datetime.fromisoformat(str(raw)))
        elif key.endswith("district_code"):
            value = labels.area_name(str(raw), lang)
        else:
            value = str(raw)
        out.append((en if lang == "en" else th, value))
    return out


READ_ONLY = ("ท่านดูเรื่องนี้ได้ การบันทึกการดำเนินงานทำได้เฉพาะเจ้าหน้าที่ของอำเภอที่รับผิดชอบ",
             "You may read this case; only its district's officers record its casework.")


def _open(request: Request, case_id: str, claims: Claims) -> Case:
    scope_of(claims)  # people without a worklist: 403 whatever the case
    try:
        return casework(request).open(case_id, claims, actor(request, claims))
    except ApiError as problem:
        raise PageProblem(problem.status, problem.th, problem.en) from None


def _render(ctx: WebContext, request: Request, session: WebSession, case: Case, *, status_code: int = 200,
            posted: ActionForm | None = None, typed: dict[str, str] | None = None, revision: int | None = None,
            errors: list[FieldError] | None = None, problem: tuple[str, str] | None = None) -> Response:
    claims = session.claims
    assert claims is not None
    today = thai_date(now())
    offered = case_actions.offered(case, claims)
    values = {f.name: case_actions.defaults(f, case, today.isoformat()) for f in offered}
    if posted is not None and typed is not None and posted.name in values:
        values[posted.name] = {**values[posted.name], **typed}
    prefixed = [e.with_field(f"{posted.name}.{e.field}") if posted and e.field else e for e in errors or []]
    subs = [case.officer_sub, case.assigned_to, *(t.by for t in case.timeline), *(c.by for c in case.contacts)]
    lang = ctx.lang(request)
    district = case.district_code
    return ctx.render(
        request, "case.html", session=session, status_code=status_code, case=case, offered=offered,
        values=values, posted=posted.name if posted else None, revision=case.revision if revision is None else revision,
        errors=prefixed, by_field=forms.errors_by_field(prefixed), field_id=forms.field_id,
        error_link=lambda e: "#" + forms.field_id(e.field or "main"), problem=problem,
        done=DONE.get(request.query_params.get("done", "")) if posted is None else None,
        works=may_work_case(claims, case.location),
        receives=case.transfer is not None and may_decide_transfer(claims, case.transfer.to_district_code),
        read_only_message=READ_ONLY, names=officers(request).names(subs), today=today,
        legal_cap_percent=LEGAL_CAP_BP_PER_YEAR // 100, suggested=transitions.suggested_referrals(case),
        scheduled=case_actions.scheduled_session(case),
        nearby_districts=[d for d in admin_areas.districts_of(district[:2]) if d.code != district],
        next_step=NEXT_STEP[case.status], timeline_details=lambda t: timeline_details(t, lang),
        close_reasons=[(r, vocabulary.label("closure_reason", r, lang)) for r in CLOSE_REASONS],
        **template_helpers(lang),
    )


@router.get("/casework/cases/{case_id}")
def case_page(ctx: Ctx, request: Request, case_id: CaseId) -> Response:
    found = staff(ctx, request)
    if found is None:
        return sign_in(request)
    session, claims = found
    return _render(ctx, request, session, _open(request, case_id, claims))


def _revision(form: FormData) -> int:
    """The revision the page showed. Anything else than a number cannot be a revision the case had: the use
    case then answers "changed meanwhile", never a silent write."""
    raw = form.get("revision")
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 10 else -1


@router.post("/casework/cases/{case_id}/{action}")
def case_action(ctx: Ctx, request: Request, case_id: CaseId, action: str, form: Form) -> Response:
    form_def = BY_NAME.get(action)
    back = f"/casework/cases/{case_id[:64]}"
    session, claims = posting_staff(ctx, request, form, back)
    scope_of(claims)  # people without a worklist: 403, as for the page
    if form_def is None:
        raise PageProblem(404, "ไม่พบหน้านี้", "Page not found.")
    typed = case_actions.read(form_def, form)
    revision = _revision(form)
    who = actor(request, claims)
    try:
        changed = form_def.run(casework(request), case_id, revision, claims, who, typed)
    except Invalid as invalid:
        return _render(ctx, request, session, _open(request, case_id, claims), status_code=422, posted=form_def,
                       typed=typed, revision=revision, errors=invalid.errors)
    except Conflict as conflict:
        # Someone saved first (or the status no longer allows this): the case as it is now, what was typed kept.
        # After "changed meanwhile" the form carries the new revision, so saving again is a deliberate choice.
        fresh = _open(request, case_id, claims)
        meanwhile = conflict.code == "case.changed_meanwhile"
        return _render(ctx, request, session, fresh, status_code=409, posted=form_def, typed=typed,
                       revision=fresh.revision if meanwhile else revision, problem=(conflict.th, conflict.en))
    except ApiError as problem:
        raise PageProblem(problem.status, problem.th, problem.en) from None
    if form.get("back") == "transfers" and form_def.receiving and action == "refuse-transfer":
        return RedirectResponse(f"/casework/transfers?done={action}", status_code=303)
    return RedirectResponse(f"/casework/cases/{changed.id}?done={action}#timeline", status_code=303)

