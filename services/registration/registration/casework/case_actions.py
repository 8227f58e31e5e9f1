"""The case page's action forms as data: each form's name (its URL and the prefix of its fields), the fields it
keeps when it is shown again, when it is offered, and how its posted text becomes one ``Casework`` call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from contracts.access import may_decide_transfer, may_work_case
from contracts.claims import Claims
from registration.cases.case import Case, MediationSession
from registration.cases.events import Actor
from registration.casework import transitions
from registration.casework.transitions import Action
from registration.casework.use_cases import Casework

Run = Callable[[Casework, str, int, Claims, Actor, dict[str, str]], Case]
TEXT_LIMIT = 2000  # longer than any field the use cases accept; they say what is too long


@dataclass(frozen=True)
class ActionForm:
    name: str
    label: tuple[str, str]
    fields: tuple[str, ...]
    run: Run
    actions: tuple[Action, ...]  # offered when the case's status allows one of these
    receiving: bool = False  # the answer to a transfer: the receiving district's


def _session_no(values: dict[str, str]) -> int:
    raw = values.get("session_no", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else 0


def _flag(values: dict[str, str], name: str) -> bool:
    return values.get(name) in ("1", "on", "yes", "true")


def _none(value: str | None) -> str | None:
    return value or None


FORMS: tuple[ActionForm, ...] = (
    ActionForm("contact", ("บันทึกการติดต่อลูกหนี้", "Record a contact attempt"),
               ("method", "result", "contacted_on", "letter_no", "note"),
               lambda cw, cid, rev, claims, who, v: cw.record_contact(
                   cid, rev, claims, who, method=v["method"], result=v["result"], contacted_on=v["contacted_on"],
                   note=_none(v["note"]), letter_no=_none(v["letter_no"])),
               transitions.CONTACT_ACTIONS),
    ActionForm("decision", ("บันทึกความประสงค์ของลูกหนี้", "Record the debtor's decision"), ("decision", "note"),
               lambda cw, cid, rev, claims, who, v: cw.record_decision(cid, rev, claims, who, decision=v["decision"],
                                                                       note=_none(v["note"])),
               tuple(transitions.DECISION_ACTION.values())),
    ActionForm("schedule", ("นัดไกล่เกลี่ย", "Schedule a mediation session"), ("scheduled_at", "place", "mediator"),
               lambda cw, cid, rev, claims, who, v: cw.schedule_mediation(
                   cid, rev, claims, who, scheduled_at=v["scheduled_at"], place=v["place"], mediator=v["mediator"]),
               (Action.SCHEDULE_MEDIATION,)),
    ActionForm("reschedule", ("เลื่อนนัดไกล่เกลี่ย", "Reschedule the session"),
               ("session_no", "scheduled_at", "place", "mediator"),
               lambda cw, cid, rev, claims, who, v: cw.reschedule_mediation(
                   cid, rev, claims, who, session_no=_session_no(v), scheduled_at=v["scheduled_at"],
                   place=_none(v["place"]), mediator=_none(v["mediator"])),
               (Action.RESCHEDULE_MEDIATION,)),
    ActionForm("conclude", ("บันทึกผลการไกล่เกลี่ย", "Record the session's result"),
               ("session_no", "debtor_present", "creditor_present", "result", "debt_before", "debt_after",
                "instalment", "interest_per_year", "terms"),
               lambda cw, cid, rev, claims, who, v: cw.conclude_mediation(
                   cid, rev, claims, who, session_no=_session_no(v), debtor_present=_flag(v, "debtor_present"),
                   creditor_present=_flag(v, "creditor_present"), result=v["result"],
                   debt_before_satang=_none(v["debt_before"]), debt_after_satang=_none(v["debt_after"]),
                   instalment_satang=_none(v["instalment"]), interest_bp_per_year=_none(v["interest_per_year"]),
                   terms=_none(v["terms"])),
               tuple(transitions.CONCLUDE_ACTION.values())),
    ActionForm("cancel-session", ("ยกเลิกนัดไกล่เกลี่ย", "Cancel the session"), ("session_no", "note"),
               lambda cw, cid, rev, claims, who, v: cw.cancel_mediation(cid, rev, claims, who,
                                                                        session_no=_session_no(v),
                                                                        note=_none(v["note"])),
               (Action.CANCEL_MEDIATION,)),
    ActionForm("refer", ("ส่งต่อหน่วยงาน", "Refer the case"), ("to", "reason", "note"),
               lambda cw, cid, rev, claims, who, v: cw.refer(cid, rev, claims, who, to=v["to"], reason=v["reason"],
                                                             note=_none(v["note"])),
               (Action.REFER,)),
    ActionForm("close", ("ปิดเรื่อง", "Close the case"), ("reason", "note"),
               lambda cw, cid, rev, claims, who, v: cw.close(cid, rev, claims, who, reason=v["reason"],
                                                             note=_none(v["note"])),
               tuple(a for a in transitions.CLOSE_ACTION.values())),
    ActionForm("withdraw", ("ลูกหนี้ขอถอนเรื่อง", "The debtor withdraws"), ("note",),
               lambda cw, cid, rev, claims, who, v: cw.withdraw(cid, rev, claims, who, note=_none(v["note"])),
               (Action.WITHDRAW,)),
    ActionForm("reopen", ("เปิดเรื่องอีกครั้ง", "Reopen the case"), ("note",),
               lambda cw, cid, rev, claims, who, v: cw.reopen(cid, rev, claims, who, note=v["note"]),
               (Action.REOPEN, Action.REOPEN_FOR_MEDIATION)),
    ActionForm("transfer", ("ขอโอนเรื่องไปอำเภออื่น", "Ask another district to take the case"),
               ("to_district_code", "reason"),
               lambda cw, cid, rev, claims, who, v: cw.request_transfer(
                   cid, rev, claims, who, to_district_code=v["to_district_code"], reason=_none(v["reason"])),
               (Action.REQUEST_TRANSFER,)),
    ActionForm("accept-transfer", ("รับโอนเรื่อง", "Accept the transfer"), (),
               lambda cw, cid, rev, claims, who, v: cw.accept_transfer(cid, rev, claims, who),
               (Action.ACCEPT_TRANSFER,), receiving=True),
    ActionForm("refuse-transfer", ("ปฏิเสธการรับโอน", "Refuse the transfer"), ("reason", "note"),
               lambda cw, cid, rev, claims, who, v: cw.refuse_transfer(cid, rev, claims, who, reason=v["reason"],
                                                                       note=_none(v["note"])),
               (Action.REFUSE_TRANSFER,), receiving=True),
)
BY_NAME = {f.name: f for f in FORMS}
SESSION_FORMS = ("reschedule", "conclude", "cancel-session")


def read(form_def: ActionForm, posted: FormData) -> dict[str, str]:
    """The form's fields as posted (``<form name>.<field>``), clipped; absent ones empty."""
    values: dict[str, str] = {}
    for name in form_def.fields:
        raw = posted.get(f"{form_def.name}.{name}")
        values[name] = raw.strip()[:TEXT_LIMIT] if isinstance(raw, str) else ""
    return values


def scheduled_session(case: Case) -> MediationSession | None:
    return next((s for s in reversed(case.sessions) if s.state == "scheduled"), None)


def offered(case: Case, claims: Claims) -> list[ActionForm]:
    """The forms this person may use on this case now: the district's officer gets what the case's status
    allows; the receiving district's officer answers a pending transfer; everyone else none (read-only)."""
    works = may_work_case(claims, case.location)
    receives = case.transfer is not None and may_decide_transfer(claims, case.transfer.to_district_code)
    found = []
    for form_def in FORMS:
        if form_def.receiving:
            if receives and any(transitions.allowed(case.status, a) for a in form_def.actions):
                found.append(form_def)
            continue
        if not works or not any(transitions.allowed(case.status, a) for a in form_def.actions):
            continue
        if form_def.name in SESSION_FORMS and scheduled_session(case) is None:
            continue
        if form_def.name == "transfer" and case.transfer is not None:
            continue
        found.append(form_def)
    return found


def defaults(form_def: ActionForm, case: Case, today: str) -> dict[str, Any]:
    """What a fresh form shows: today's date for a contact, the scheduled session's details."""
    session = scheduled_session(case)
    values: dict[str, Any] = dict.fromkeys(form_def.fields, "")
    if form_def.name == "contact":
        values["contacted_on"] = today
    if session is not None and form_def.name in SESSION_FORMS:
        values["session_no"] = str(session.no)
        if form_def.name == "reschedule":
            values.update(place=session.place, mediator=session.mediator)
    if form_def.name == "conclude":
        values.update(debtor_present="1", creditor_present="1")
    return values
