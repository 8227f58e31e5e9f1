"""District casework, shared by the JSON API and the pages: contact attempts, the debtor's decision,
mediation sessions and their results, referrals, closing and reopening, transfers, assignment, letters.

Every change follows the same steps (``Casework._run``): find the case; check who may (``contracts.access``:
others' cases are NotFound, a case one may read but not work is Forbidden); check that the officer saw the
case's current revision (else Conflict ``case.changed_meanwhile``: someone else saved first, nothing is
overwritten, and the page shows the officer's entry again); check the move against the transition table
(``casework.transitions``, else Conflict ``casework.transition_refused`` explained in Thai); validate the
input (Invalid, every field problem at once); then store the new ``Case`` (revision + 1, a timeline entry
naming who and when, the next action's due date) with its case event and audit record in one transaction
(``CaseRepository.change``). Every refusal is audited as a denied update, every read as a read.

Bulk actions (assignment, letters sent) apply case by case to each case as it is now: they set only their
own facts (who is assigned, that a letter went out), so a change someone else saved meanwhile is not
overwritten and needs no revision from the client. A case that changes between reading and writing is read
again and retried; a case that cannot be changed is reported in ``BulkResult.failed`` and the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from contracts.access import may_decide_transfer, may_read_casework, may_work_case, worklist_scope
from contracts.claims import Claims
from contracts.errors import ApiError
from registration.cases.case import Case, ContactAttempt, MediationSession, Referral, TimelineEntry, Transfer
from registration.cases.errors import Conflict, Forbidden, Invalid, NotFound
from registration.cases.events import AUDIT_EVENTS, CASE_EVENTS, Actor, AuditAction, audit_recorded, case_event
from registration.cases.store import CaseRepository, StaleRevision
from registration.casework import transitions
from registration.casework.inputs import LETTER_NO_MAX, NOTE_MAX, SHORT_MAX, TERMS_MAX, Fields
from registration.casework.transitions import Action, Move, TransitionRefused
from registration.casework.vocabulary import CLOSE_REASONS, CONTACT_METHOD, REFERRAL, REFERRAL_REASON, TRANSFER_REFUSAL
from registration.kernel.interest import LEGAL_CAP_BP_PER_YEAR
from registration.kernel.receipts import thai_date
from registration.kernel.thai import FieldError

NOT_FOUND = ("case.not_found", "ไม่พบเรื่องนี้ หรือท่านไม่มีสิทธิ์เข้าถึง", "Case not found.")
READ_ONLY = ("access.read_only",
             "ท่านดูเรื่องนี้ได้ แต่การบันทึกการดำเนินงานทำได้เฉพาะเจ้าหน้าที่ของอำเภอที่รับผิดชอบเรื่องนี้",
             "You may read this case, but only officers of its district record its casework.")
NOT_RECEIVER = ("transfer.not_receiver", "รับหรือปฏิเสธการโอนเรื่องได้เฉพาะเจ้าหน้าที่ของอำเภอที่รับโอน",
                "Only officers of the receiving district may accept or refuse the transfer.")
NO_TRANSFER = ("transfer.none_pending", "ไม่มีคำขอโอนเรื่องนี้ที่รอการตอบรับ",
               "No transfer of this case is awaiting an answer.")
TRANSFER_PENDING = ("transfer.already_pending",
                    "มีคำขอโอนเรื่องนี้ที่รอการตอบรับอยู่แล้ว ต้องรอให้อำเภอที่รับโอนตอบรับหรือปฏิเสธก่อน",
                    "A transfer of this case is already awaiting the receiving district's answer.")
CHANGED_MEANWHILE = ("case.changed_meanwhile",
                     "มีผู้อื่นบันทึกเรื่องนี้ก่อนท่าน ระบบจึงยังไม่ได้บันทึกรายการของท่าน ข้อมูลที่ท่านกรอกไว้ยังอยู่ครบ "
                     "กรุณาตรวจสอบข้อมูลล่าสุดของเรื่องแล้วกดบันทึกอีกครั้ง",
                     "Someone else saved this case first, so your entry was not saved; it is kept. Check the case's "
                     "latest details and save again.")
NO_CASEWORK = ("access.no_casework", "ท่านไม่มีหน้าที่บันทึกการดำเนินงานของอำเภอ",
               "Only district officers record casework.")
SESSION_NOT_FOUND = ("session.not_found", "ไม่พบนัดไกล่เกลี่ยครั้งนี้", "No such mediation session on this case.")
SESSION_NOT_SCHEDULED = ("session.not_scheduled", "นัดไกล่เกลี่ยครั้งนี้บันทึกผลหรือยกเลิกไปแล้ว",
                         "This session was already concluded or cancelled.")
MAX_BULK = 1000  # cases per bulk action: a district's letters for a week, not the nation's
MIN_ATTEMPTS_UNREACHABLE = 2  # "unreachable after repeated attempts"
_ATTEMPTS = 3  # a bulk action re-reads a case changed meanwhile this many times before reporting it

_FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "contact.letter_needs_letter": ("ผล “ส่งหนังสือแล้ว” ใช้กับการติดต่อทางหนังสือราชการเท่านั้น",
                                    "“Letter sent” is a result of an official letter only."),
    "contact.letter_no_needs_letter": ("เลขที่หนังสือใช้กับการติดต่อทางหนังสือราชการเท่านั้น",
                                       "A letter number goes with an official letter only."),
    "decision.too_few_attempts": (f"บันทึกว่าติดต่อไม่ได้ได้เมื่อพยายามติดต่อแล้วอย่างน้อย {MIN_ATTEMPTS_UNREACHABLE} ครั้ง",
                                  f"Record the debtor as unreachable after at least {MIN_ATTEMPTS_UNREACHABLE} "
                                  "unsuccessful attempts."),
    "session.not_yet_held": ("ยังไม่ถึงวันนัด บันทึกผลได้ตั้งแต่วันนัดเป็นต้นไป",
                             "The session's day has not come yet; record its result on or after that day."),
    "mediation.both_present": ("ผลนี้บันทึกได้เมื่อทั้งลูกหนี้และเจ้าหนี้มาตามนัด",
                               "This result needs both the debtor and the creditor present."),
    "mediation.creditor_present": ("บันทึกว่าเจ้าหนี้ไม่มา แต่ระบุว่าเจ้าหนี้มาตามนัด",
                                   "“Creditor absent”, yet the creditor is marked present."),
    "mediation.debtor_present": ("บันทึกว่าลูกหนี้ไม่มา แต่ระบุว่าลูกหนี้มาตามนัด",
                                 "“Debtor absent”, yet the debtor is marked present."),
    "mediation.only_with_agreement": ("กรอกได้เฉพาะเมื่อตกลงกันได้", "Only with an agreement."),
    "debt_after.above_before": ("ยอดหนี้หลังไกล่เกลี่ยต้องไม่มากกว่ายอดหนี้ก่อนไกล่เกลี่ย",
                                "The debt after mediation cannot exceed the debt before."),
    "instalment.above_debt": ("ค่างวดต้องไม่มากกว่ายอดหนี้หลังไกล่เกลี่ย",
                              "The instalment cannot exceed the debt after mediation."),
    "interest.above_legal_cap": (
        f"ดอกเบี้ยที่ตกลงต้องไม่เกินร้อยละ {LEGAL_CAP_BP_PER_YEAR // 100} ต่อปีตามกฎหมาย",
        f"The agreed interest cannot exceed the legal {LEGAL_CAP_BP_PER_YEAR // 100}% a year."),
    "close.withdrawn": ("การถอนเรื่องของลูกหนี้ให้บันทึกด้วยเมนู “ถอนเรื่อง”", "Record a withdrawal with “withdraw”."),
    "case_ids.required": ("กรุณาเลือกอย่างน้อย 1 เรื่อง", "Please select at least one case."),
    "case_ids.too_many": (f"เลือกได้ครั้งละไม่เกิน {MAX_BULK:,} เรื่อง", f"At most {MAX_BULK:,} cases at a time."),
}


def _problem(field_name: str, code: str) -> FieldError:
    th, en = _FIELD_MESSAGES[code]
    return FieldError(code, th, en, field_name)


def _raise_if(fields: Fields) -> None:
    if fields.errors:
        raise Invalid(fields.errors)


def changed_meanwhile(current_revision: int) -> Conflict:
    """409 ``case.changed_meanwhile``; ``revision`` is the case's revision now, for the page to show it again."""
    conflict = Conflict(*CHANGED_MEANWHILE)
    conflict.extra["revision"] = current_revision
    return conflict


def refused(error: TransitionRefused) -> Conflict:
    return Conflict("casework.transition_refused", error.th, error.en, status=error.status.value,
                    action=error.action.value)


@dataclass(frozen=True)
class _Change:
    """What a move does to the case (status, revision, timeline and due date are added by ``_run``)."""

    case: Case
    details: dict[str, Any]  # the timeline entry's details: codes and a short note
    event: dict[str, Any] = field(default_factory=dict)  # the event's own fields
    keeps_due: bool = False  # assignment and transfer requests do not move the next action


class BulkResult(list[Case]):
    """The changed cases, in the order asked. ``failed`` says which cases were not changed and why (the same
    refusal a single action gives); ``unchanged`` lists cases that already were as asked."""

    def __init__(self, changed: Iterable[Case] = ()) -> None:
        super().__init__(changed)
        self.failed: dict[str, ApiError] = {}
        self.unchanged: list[str] = []


Build = Callable[[Case, Move, datetime], _Change]


@dataclass
class Casework:
    cases: CaseRepository
    on_commit: Callable[[], None] = lambda: None  # wakes the outbox relay
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    # ---- reading ----

    def open(self, case_id: str, claims: Claims, actor: Actor) -> Case:
        """The case with its casework, for whoever oversees it (``may_read_casework``) and for the receiving
        district of a pending transfer, which must see what it is asked to take; recorded as a read before
        anything is returned. Anyone else gets NotFound."""
        case = self.cases.find(case_id[:64])
        allowed = case is not None and (may_read_casework(claims, case.location) or (
            case.transfer is not None and may_decide_transfer(claims, case.transfer.to_district_code)))
        self.cases.record(audit_recorded(actor, AuditAction.READ, allowed, case.id if case else None))
        self.on_commit()
        if case is None or not allowed:
            raise NotFound(*NOT_FOUND)
        return case

    # ---- contact and decision ----

    def record_contact(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor, *,
                       method: str, result: str, contacted_on: date | str, note: str | None = None,
                       letter_no: str | None = None) -> Case:
        """A contact attempt (letter, phone, community leader, home visit): on the day it happened (not in
        the future, not before the registration)."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            fields = Fields()
            fields.choice("method", method, CONTACT_METHOD)
            day = fields.past_date("contacted_on", contacted_on, thai_date(now), thai_date(case.created_at))
            text = fields.text("note", note, NOTE_MAX)
            number = fields.text("letter_no", letter_no, LETTER_NO_MAX)
            if result == "letter_sent" and method != "official_letter":
                fields.add(_problem("result", "contact.letter_needs_letter"))
            if number and method != "official_letter":
                fields.add(_problem("letter_no", "contact.letter_no_needs_letter"))
            _raise_if(fields)
            attempt = ContactAttempt(method, result, day, actor.sub, now, text, number)
            details = {"method": method, "result": result, "contacted_on": day.isoformat(), "letter_no": number,
                       "note": text}
            return _Change(replace(case, contacts=(*case.contacts, attempt)), details,
                           {"method": method, "result": result, "contacted_on": day.isoformat(),
                            "attempt_no": len(case.contacts) + 1, "letter_no": number})

        return self._run(case_id, revision_seen, claims, actor,
                         lambda _: self._choose("result", result, transitions.CONTACT_ACTION), build)

    def record_decision(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor, *,
                        decision: str, note: str | None = None) -> Case:
        """The debtor wants mediation, declines it, or cannot be reached after repeated attempts."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            fields = Fields()
            text = fields.text("note", note, NOTE_MAX)
            unsuccessful = sum(1 for c in case.contacts if c.result != "reached")
            if decision == "unreachable" and unsuccessful < MIN_ATTEMPTS_UNREACHABLE:
                fields.add(_problem("decision", "decision.too_few_attempts"))
            _raise_if(fields)
            return _Change(replace(case, decision=decision), {"decision": decision, "note": text},
                           {"decision": decision})

        return self._run(case_id, revision_seen, claims, actor,
                         lambda _: self._choose("decision", decision, transitions.DECISION_ACTION), build)

    # ---- mediation ----

    def schedule_mediation(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor, *,
                           scheduled_at: datetime | str, place: str, mediator: str) -> Case:
        """A new session (numbered from 1): when, where, and who mediates."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            fields = Fields()
            when = fields.moment("scheduled_at", scheduled_at, now, case.created_at)
            where = fields.text("place", place, SHORT_MAX, required=True) or ""
            who = fields.text("mediator", mediator, SHORT_MAX, required=True) or ""
            _raise_if(fields)
            session = MediationSession(len(case.sessions) + 1, when, where, who)
            return _Change(replace(case, sessions=(*case.sessions, session)), _session_details(session, "scheduled"),
                           _session_event(session, "scheduled"))

        return self._run(case_id, revision_seen, claims, actor, lambda _: Action.SCHEDULE_MEDIATION, build)

    def reschedule_mediation(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor, *,
                             session_no: int, scheduled_at: datetime | str, place: str | None = None,
                             mediator: str | None = None) -> Case:
        """A new time (and, if given, place or mediator) for the scheduled session."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            session = _scheduled(case, session_no)
            fields = Fields()
            when = fields.moment("scheduled_at", scheduled_at, now, case.created_at)
            where = fields.text("place", place, SHORT_MAX) or session.place
            who = fields.text("mediator", mediator, SHORT_MAX) or session.mediator
            _raise_if(fields)
            moved = replace(session, scheduled_at=when, place=where, mediator=who)
            return _Change(_with_session(case, moved), _session_details(moved, "rescheduled"),
                           _session_event(moved, "rescheduled"))

        return self._run(case_id, revision_seen, claims, actor, lambda _: Action.RESCHEDULE_MEDIATION, build)

    def cancel_mediation(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor, *,
                         session_no: int, note: str | None = None) -> Case:
        """The scheduled session will not take place; the debtor still wants mediation."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            session = _scheduled(case, session_no)
            fields = Fields()
            text = fields.text("note", note, NOTE_MAX)
            _raise_if(fields)
            cancelled = replace(session, state="cancelled")
            return _Change(_with_session(case, cancelled), {**_session_details(cancelled, "cancelled"), "note": text},
                           _session_event(cancelled, "cancelled"))

        return self._run(case_id, revision_seen, claims, actor, lambda _: Action.CANCEL_MEDIATION, build)

    def conclude_mediation(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor, *,
                           session_no: int, debtor_present: bool, creditor_present: bool, result: str,
                           debt_before_satang: int | str | None = None, debt_after_satang: int | str | None = None,
                           instalment_satang: int | str | None = None, interest_bp_per_year: int | str | None = None,
                           terms: str | None = None) -> Case:
        """The session's attendance and result. Amounts are baht text (``"12,500"``) or satang ints; interest
        is percent a year as text or basis points as an int. An agreement states the debt after (at most the
        debt before) and may state an instalment and interest (at most the legal 15 % a year); the debt
        before defaults to the registered outstanding total when a party was absent."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            session = _scheduled(case, session_no)
            fields = Fields()
            agreement = result == "agreement"
            if thai_date(session.scheduled_at) > thai_date(now):
                fields.add(_problem("session_no", "session.not_yet_held"))
            if result in ("agreement", "no_agreement") and not (debtor_present and creditor_present):
                fields.add(_problem("result", "mediation.both_present"))
            if result == "creditor_absent" and creditor_present:
                fields.add(_problem("creditor_present", "mediation.creditor_present"))
            if result == "debtor_absent" and debtor_present:
                fields.add(_problem("debtor_present", "mediation.debtor_present"))
            absent = result in ("creditor_absent", "debtor_absent")
            before = fields.satang("debt_before", debt_before_satang, required=not absent)
            if before is None and absent:
                before = case.totals.outstanding_satang
            after = fields.satang("debt_after", debt_after_satang, required=agreement)
            instalment = fields.satang("instalment", instalment_satang)
            interest = fields.rate_bp("interest_per_year", interest_bp_per_year)
            text = fields.text("terms", terms, TERMS_MAX)
            if not agreement:
                for name, value in (("debt_after", after), ("instalment", instalment),
                                    ("interest_per_year", interest), ("terms", text)):
                    if value is not None:
                        fields.add(_problem(name, "mediation.only_with_agreement"))
            if after is not None and before is not None and after > before:
                fields.add(_problem("debt_after", "debt_after.above_before"))
            if instalment is not None and after is not None and instalment > after:
                fields.add(_problem("instalment", "instalment.above_debt"))
            if interest is not None and interest > LEGAL_CAP_BP_PER_YEAR:
                fields.add(_problem("interest_per_year", "interest.above_legal_cap"))
            _raise_if(fields)
            held = replace(session, state="held", debtor_present=debtor_present, creditor_present=creditor_present,
                           result=result, debt_before_satang=before, debt_after_satang=after,
                           instalment_satang=instalment, interest_bp_per_year=interest, terms=text)
            amounts = {"debt_before_satang": before, "debt_after_satang": after, "instalment_satang": instalment,
                       "interest_bp_per_year": interest}
            details = {"session_no": session.no, "result": result, "debtor_present": debtor_present,
                       "creditor_present": creditor_present, **amounts}
            return _Change(_with_session(case, held), details, {"session_no": session.no, "result": result, **amounts})

        return self._run(case_id, revision_seen, claims, actor,
                         lambda _: self._choose("result", result, transitions.CONCLUDE_ACTION), build)

    # ---- outcomes ----

    def refer(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor, *,
              to: str, reason: str, note: str | None = None) -> Case:
        """A referral to the police or prosecution, a state bank (GSB, BAAC) or other help."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            fields = Fields()
            fields.choice("to", to, REFERRAL)
            fields.choice("reason", reason, REFERRAL_REASON)
            text = fields.text("note", note, NOTE_MAX)
            _raise_if(fields)
            referral = Referral(to, reason, now, actor.sub, text)
            return _Change(replace(case, referrals=(*case.referrals, referral)),
                           {"referral": to, "reason": reason, "note": text}, {"referral": to, "reason": reason})

        return self._run(case_id, revision_seen, claims, actor, lambda _: Action.REFER, build)

    def close(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor, *,
              reason: str, note: str | None = None) -> Case:
        """Closes the case with a reason (a note is required for "other"); a withdrawal is ``withdraw``."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            fields = Fields()
            text = fields.text("note", note, NOTE_MAX, required=reason == "other")
            _raise_if(fields)
            return _Change(replace(case, closure_reason=reason, closure_note=text), {"reason": reason, "note": text},
                           {"reason": reason})

        def choose(_: Case) -> Action:
            if reason == "withdrawn":
                raise Invalid([_problem("reason", "close.withdrawn")])
            return self._choose("reason", reason, {r: transitions.CLOSE_ACTION[r] for r in CLOSE_REASONS})

        return self._run(case_id, revision_seen, claims, actor, choose, build)

    def withdraw(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor, *,
                 note: str | None = None) -> Case:
        """The debtor withdraws: the case ends as ``withdrawn`` (CaseClosed with reason "withdrawn")."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            fields = Fields()
            text = fields.text("note", note, NOTE_MAX)
            _raise_if(fields)
            return _Change(replace(case, closure_reason="withdrawn", closure_note=text),
                           {"reason": "withdrawn", "note": text}, {"reason": "withdrawn"})

        return self._run(case_id, revision_seen, claims, actor, lambda _: Action.WITHDRAW, build)

    def reopen(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor, *, note: str) -> Case:
        """A closed or withdrawn case is open again (why is required): back to ``contacting``, or to
        ``wants_mediation`` if that was the debtor's decision."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            fields = Fields()
            text = fields.text("note", note, NOTE_MAX, required=True)
            _raise_if(fields)
            return _Change(replace(case, closure_reason=None, closure_note=None),
                           {"previous_reason": case.closure_reason, "note": text})

        return self._run(case_id, revision_seen, claims, actor, transitions.reopen_action, build)

    # ---- transfers ----

    def request_transfer(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor, *,
                         to_district_code: str, reason: str | None = None) -> Case:
        """Asks another district (e.g. where the debtor lives now) to take the case over; the case stays here
        until that district accepts."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            if case.transfer is not None:
                raise Conflict(*TRANSFER_PENDING)
            fields = Fields()
            district = fields.district("to_district_code", to_district_code, case.district_code)
            text = fields.text("reason", reason, SHORT_MAX)
            _raise_if(fields)
            transfer = Transfer(district[:2], district, now, actor.sub, text)
            codes = {"to_province_code": district[:2], "to_district_code": district}
            return _Change(replace(case, transfer=transfer), {**codes, "note": text}, codes, keeps_due=True)

        return self._run(case_id, revision_seen, claims, actor, lambda _: Action.REQUEST_TRANSFER, build)

    def accept_transfer(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor) -> Case:
        """The receiving district takes the case: it now belongs there (its worklist, totals and casework),
        the debtor's registered address is unchanged, and the history keeps the transfer."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            pending = _pending(case)
            done = replace(pending, state="accepted", decided_at=now, decided_by=actor.sub,
                           from_province_code=case.province_code, from_district_code=case.district_code)
            moved = replace(case, province_code=pending.to_province_code, district_code=pending.to_district_code,
                            transfer=None, transfers=(*case.transfers, done), assigned_to=None)
            codes = {"from_province_code": case.province_code, "from_district_code": case.district_code}
            return _Change(moved, {**codes, "to_district_code": pending.to_district_code}, codes)

        return self._run(case_id, revision_seen, claims, actor, lambda _: Action.ACCEPT_TRANSFER, build,
                         receiving=True)

    def refuse_transfer(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor, *,
                        reason: str, note: str | None = None) -> Case:
        """The receiving district declines: the case stays with the sending district."""
        def build(case: Case, move: Move, now: datetime) -> _Change:
            pending = _pending(case)
            fields = Fields()
            fields.choice("reason", reason, TRANSFER_REFUSAL)
            text = fields.text("note", note, NOTE_MAX)
            _raise_if(fields)
            done = replace(pending, state="refused", decided_at=now, decided_by=actor.sub, refusal_reason=reason)
            codes = {"to_province_code": pending.to_province_code, "to_district_code": pending.to_district_code}
            return _Change(replace(case, transfer=None, transfers=(*case.transfers, done)),
                           {**codes, "reason": reason, "note": text}, {**codes, "reason": reason}, keeps_due=True)

        return self._run(case_id, revision_seen, claims, actor, lambda _: Action.REFUSE_TRANSFER, build,
                         receiving=True)

    # ---- bulk: assignment and letters ----

    def assign(self, case_ids: Iterable[str], officer_sub: str | None, claims: Claims, actor: Actor) -> BulkResult:
        """Assigns each case to an officer (by token subject), or unassigns it (None)."""
        self._works_a_district(claims, actor)
        fields = Fields()
        officer = fields.officer("officer_sub", officer_sub)
        ids = self._bulk_ids(case_ids, fields)
        result = BulkResult()
        for case_id in ids:
            current = self.cases.find(case_id)
            if current is not None and current.assigned_to == officer and may_work_case(claims, current.location):
                result.unchanged.append(case_id)  # nothing to write
                continue
            self._one_of_bulk(result, case_id, partial(self._assign_one, case_id, officer, claims, actor))
        return result

    def _assign_one(self, case_id: str, officer: str | None, claims: Claims, actor: Actor) -> Case:
        def build(case: Case, move: Move, now: datetime) -> _Change:
            return _Change(replace(case, assigned_to=officer), {"assigned": officer is not None},
                           {"assigned": officer is not None}, keeps_due=True)

        return self._run(case_id, None, claims, actor, lambda _: Action.ASSIGN, build)

    def record_letters_sent(self, case_ids: Iterable[str], letter_nos: Mapping[str, str], sent_on: date | str,
                            claims: Claims, actor: Actor) -> BulkResult:
        """Records on each case that its invitation letter went out on ``sent_on``, with its outgoing number."""
        self._works_a_district(claims, actor)
        fields = Fields()
        ids = self._bulk_ids(case_ids, fields)
        result = BulkResult()
        for case_id in ids:
            self._one_of_bulk(result, case_id, partial(
                self.record_contact, case_id, None, claims, actor, method="official_letter", result="letter_sent",
                contacted_on=sent_on, letter_no=letter_nos.get(case_id)))
        return result

    def _works_a_district(self, claims: Claims, actor: Actor) -> None:
        """A bulk action is for someone who works a district's cases at all; anyone else is refused before any
        case is looked at (nothing about the cases is revealed either way)."""
        scope = worklist_scope(claims)
        if scope is None or scope[0] != "district":
            self.cases.record(audit_recorded(actor, AuditAction.UPDATE, False, None))
            self.on_commit()
            raise Forbidden(*NO_CASEWORK)

    def _bulk_ids(self, case_ids: Iterable[str], fields: Fields) -> list[str]:
        ids = list(dict.fromkeys(c[:64] for c in case_ids))  # each case once, in the order given
        if not ids:
            fields.add(_problem("case_ids", "case_ids.required"))
        elif len(ids) > MAX_BULK:
            fields.add(_problem("case_ids", "case_ids.too_many"))
        _raise_if(fields)
        return ids

    @staticmethod
    def _one_of_bulk(result: BulkResult, case_id: str, change: Callable[[], Case]) -> None:
        try:
            result.append(change())
        except ApiError as problem:  # already audited; the batch goes on
            result.failed[case_id] = problem

    # ---- the steps every change goes through ----

    @staticmethod
    def _choose(field_name: str, code: str, actions: Mapping[str, Action]) -> Action:
        found = actions.get(code)
        if found is None:
            fields = Fields()
            fields.choice(field_name, code, tuple(actions))
            raise Invalid(fields.errors)
        return found

    def _authorize(self, case: Case | None, claims: Claims, receiving: bool) -> Case:
        """The case if ``claims`` may do this to it: its district's officer, or for the answer to a transfer
        the receiving district's. Someone who may read the case learns why not (Forbidden, or Conflict when
        there is no transfer to answer); anyone else cannot tell that it exists (NotFound)."""
        if case is None:
            raise NotFound(*NOT_FOUND)
        readable = may_read_casework(claims, case.location)
        if receiving:
            if case.transfer is not None and may_decide_transfer(claims, case.transfer.to_district_code):
                return case
            if readable:
                raise Forbidden(*NOT_RECEIVER) if case.transfer is not None else Conflict(*NO_TRANSFER)
            raise NotFound(*NOT_FOUND)
        if may_work_case(claims, case.location):
            return case
        raise Forbidden(*READ_ONLY) if readable else NotFound(*NOT_FOUND)

    def _run(self, case_id: str, revision_seen: int | None, claims: Claims, actor: Actor,
             choose: Callable[[Case], Action], build: Build, *, receiving: bool = False) -> Case:
        """One change, start to end (see the module doc). ``revision_seen=None`` (bulk actions only) applies
        the change to the case as it is now, re-reading it if it changes before the write."""
        case: Case | None = None
        try:
            for attempt in range(1, _ATTEMPTS + 1):
                case = self.cases.find(case_id[:64])
                case = self._authorize(case, claims, receiving)
                if revision_seen is not None and revision_seen != case.revision:
                    raise changed_meanwhile(case.revision)
                try:
                    move = transitions.move(case.status, choose(case))
                except TransitionRefused as error:
                    raise refused(error) from None
                now = self.clock()
                change = build(case, move, now)
                new = self._after(case, move, change, actor, now)
                try:
                    self.cases.change(new, [
                        (CASE_EVENTS, case_event(move.event, new, **change.event)),
                        (AUDIT_EVENTS, audit_recorded(actor, AuditAction.UPDATE, True, new.id)),
                    ])
                except StaleRevision:
                    if revision_seen is None and attempt < _ATTEMPTS:
                        continue
                    latest = self.cases.find(case.id)
                    raise changed_meanwhile(latest.revision if latest else case.revision) from None
                self.on_commit()
                return new
            raise AssertionError("unreachable: the last attempt returns or raises")
        except ApiError:
            self.cases.record(audit_recorded(actor, AuditAction.UPDATE, False, case.id if case else None))
            self.on_commit()
            raise

    @staticmethod
    def _after(case: Case, move: Move, change: _Change, actor: Actor, now: datetime) -> Case:
        """The case after ``change``: its new status and revision, who did what when, the next action."""
        entry = TimelineEntry(now, move.event, actor.sub, actor.unit_code, change.details)
        new = replace(change.case, status=move.to, revision=case.revision + 1, updated_at=now,
                      timeline=(*case.timeline, entry))
        if change.keeps_due:
            return new
        return replace(new, next_action_due=transitions.next_action_due(new, thai_date(now)))


def _scheduled(case: Case, session_no: int) -> MediationSession:
    session = next((s for s in case.sessions if s.no == session_no), None)
    if session is None:
        raise NotFound(*SESSION_NOT_FOUND)
    if session.state != "scheduled":
        raise Conflict(*SESSION_NOT_SCHEDULED)
    return session


def _with_session(case: Case, session: MediationSession) -> Case:
    return replace(case, sessions=tuple(session if s.no == session.no else s for s in case.sessions))


def _session_details(session: MediationSession, change: str) -> dict[str, Any]:
    return {"session_no": session.no, "change": change, "scheduled_at": session.scheduled_at.isoformat(),
            "place": session.place, "mediator": session.mediator}


def _session_event(session: MediationSession, change: str) -> dict[str, Any]:
    return {"session_no": session.no, "scheduled_at": session.scheduled_at.isoformat(), "change": change}


def _pending(case: Case) -> Transfer:
    if case.transfer is None:  # _authorize lets no one through without a pending transfer; kept for the type
        raise Conflict(*NO_TRANSFER)
    return case.transfer

