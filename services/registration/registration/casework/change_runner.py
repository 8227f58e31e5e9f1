"""The steps every casework change goes through, and reading a case (see ``use_cases``' module doc).

One place for access checks, the revision check, the transition table, the write with its event and audit
record, and the audit of every refusal: the actions only say what their change does to the case."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from contracts.access import may_decide_transfer, may_read_casework, may_work_case
from contracts.claims import Claims
from contracts.errors import ApiError
from registration.cases.case import Case, TimelineEntry
from registration.cases.errors import Conflict, Forbidden, Invalid, NotFound
from registration.cases.events import AUDIT_EVENTS, CASE_EVENTS, Actor, AuditAction, audit_recorded, case_event
from registration.cases.store import CaseRepository, StaleRevision
from registration.casework import transitions
from registration.casework.casework_rules import (
    _ATTEMPTS,
    NO_TRANSFER,
    NOT_FOUND,
    NOT_RECEIVER,
    READ_ONLY,
    Build,
    _Change,
    changed_meanwhile,
    refused,
)
from registration.casework.inputs import Fields
from registration.casework.transitions import Action, Move, TransitionRefused
from registration.kernel.receipts import thai_date


@dataclass
class CaseworkCore:
    """The repository, the outbox wake-up and the clock, with the one path every change takes."""

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
