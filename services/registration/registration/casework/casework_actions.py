"""The case actions an officer of the case's district records: contact attempts, the debtor's decision,
mediation sessions and their results, referrals, closing, withdrawing and reopening.

Each action only builds its change (validated input, the new case, the timeline details and the event);
``CaseworkCore._run`` checks access, revision and the transition and writes it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from contracts.claims import Claims
from registration.cases.case import Case, ContactAttempt, MediationSession, Referral
from registration.cases.errors import Conflict, Invalid, NotFound
from registration.cases.events import Actor
from registration.casework import transitions
from registration.casework.casework_rules import (
    MIN_ATTEMPTS_UNREACHABLE,
    SESSION_NOT_FOUND,
    SESSION_NOT_SCHEDULED,
    _Change,
    _problem,
    _raise_if,
)
from registration.casework.change_runner import CaseworkCore
from registration.casework.inputs import LETTER_NO_MAX, NOTE_MAX, SHORT_MAX, TERMS_MAX, Fields
from registration.casework.transitions import Action, Move
from registration.casework.vocabulary import CLOSE_REASONS, CONTACT_METHOD, REFERRAL, REFERRAL_REASON
from registration.kernel.interest import LEGAL_CAP_BP_PER_YEAR
from registration.kernel.receipts import thai_date


class CaseActions(CaseworkCore):
    """One case's moves through the workflow, each checked and recorded by ``_run``."""

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
