"""The intake's use cases, shared by the JSON API and the web pages: who may do what (``contracts.access``),
validation, storage with events and audit, idempotent retries.

Every read or change of a debtor's case, allowed or refused, leaves an AuditRecorded event in the
outbox; for reads it is written before any data is returned.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from prometheus_client import Counter

from contracts import codec
from contracts.access import may_change_case, may_read_case, may_register_at_desk, may_self_register
from contracts.claims import Claims, Role
from registration.cases.case import Case
from registration.cases.docs import case_from_doc
from registration.cases.errors import Conflict, Forbidden, Invalid, NotFound
from registration.cases.events import AUDIT_EVENTS, CASE_EVENTS, Actor, AuditAction, audit_recorded, case_updated
from registration.cases.model import (
    SELF_CHANNELS,
    Channel,
    Creditor,
    ImpossibleTotals,
    Totals,
    any_excessive_interest,
    totals_of,
)
from registration.cases.store import (
    AlreadyRegistered,
    CaseRepository,
    IdempotencyClaim,
    IdempotencyKeyReused,
    Registered,
    StaleRevision,
)
from registration.intake.metrics import registered
from registration.intake.schemas import CreditorsRequest, DebtsRequest, RegistrationRequest
from registration.intake.validation import (
    DeskOfficer,
    VerifiedIdentity,
    validate_creditors,
    validate_debts,
    validate_registration,
)
from registration.kernel.limits import MAX_CREDITORS_PER_CASE, CaseShape
from registration.kernel.receipts import parse_receipt, thai_date
from registration.kernel.thai import FieldError, normalise_digits

log = logging.getLogger(__name__)
IMPOSSIBLE_TOTALS = Counter("case_totals_impossible_total",
                            "Case writes refused because the totals would be impossible (negative, not an integer "
                            "or beyond int64 satang): corrupt data or a bug; alerted on")
_CHANGE_ATTEMPTS = 3
NOT_FOUND = ("case.not_found", "ไม่พบรายการลงทะเบียนนี้ หรือท่านไม่มีสิทธิ์เข้าถึง", "Registration not found.")
FORBIDDEN = ("access.forbidden", "ท่านไม่มีสิทธิ์ดำเนินการนี้", "You are not allowed to do this.")
SELF_ONLY = ("access.self_only", "ท่านลงทะเบียนได้เฉพาะในนามของตนเองเท่านั้น",
             "You may register only yourself, through the self-registration channels.")
OUTSIDE_UNIT = ("access.outside_unit", "ผู้ลงทะเบียนมีที่อยู่นอกพื้นที่รับผิดชอบของหน่วยท่าน",
                "The debtor's address is outside your unit's area.")
READ_ONLY = ("access.read_only", "ท่านมีสิทธิ์ดูข้อมูลรายการนี้ แต่ไม่มีสิทธิ์แก้ไข", "You may read this case but not change it.")
BUSY = ("case.concurrent_change", "รายการนี้กำลังถูกแก้ไขพร้อมกัน กรุณาลองใหม่อีกครั้ง",
        "The case was changed at the same time. Please try again.")
NO_CREDITOR = ("creditor.not_found", "ไม่พบเจ้าหนี้ลำดับนี้ในรายการลงทะเบียน", "No such creditor on this case.")
TOTALS_IMPOSSIBLE = ("case.totals_impossible",
                     "ยอดรวมของรายการนี้ผิดปกติ ระบบจึงไม่บันทึกการเปลี่ยนแปลง และได้แจ้งผู้ดูแลระบบแล้ว",
                     "The case's totals are impossible, so nothing was saved; the operators have been alerted.")
TOTALS_IMPOSSIBLE_READ = ("case.totals_impossible",
                          "ยอดรวมของรายการนี้ผิดปกติ ระบบจึงแสดงรายการไม่ได้ และได้แจ้งผู้ดูแลระบบแล้ว",
                          "The case's stored totals are impossible, so it cannot be shown; the operators have been "
                          "alerted.")
KEY_REUSED = FieldError(
    "idempotency_key.reused",
    "รหัส Idempotency-Key นี้เคยใช้กับคำขอที่มีข้อมูลต่างกัน กรุณาใช้รหัสใหม่สำหรับคำขอใหม่",
    "This Idempotency-Key was already used with a different request body. Use a new key for a new request.",
    "header.idempotency-key",
)


# What a desk outside the case's scope needs to help the person in front of them, and no more (PDPA
# minimisation): not where the case is, which unit took it, nor its receipt number.
ALREADY_REGISTERED_HIDDEN = (
    "ผู้นี้ลงทะเบียนไว้แล้ว (ลงทะเบียนได้คนละ 1 ครั้ง) อำเภอที่รับผิดชอบรายการจะติดต่อกลับ "
    "ผู้ลงทะเบียนตรวจสอบสถานะได้เองทางแอป ThaiD หรือสายด่วน 1567",
    "This person is already registered (once per person). The district office responsible for the "
    "registration will follow up; the person can check its status with ThaiD or the 1567 hotline.",
)


def already_registered(existing: Case, *, reveal: bool) -> Conflict:
    """The existing case's receipt goes only to someone who may read that case (the debtor, or staff
    of its unit): a desk elsewhere learns only that the person is already registered."""
    if not reveal:
        return Conflict("case.registered_elsewhere", *ALREADY_REGISTERED_HIDDEN)
    return Conflict("case.already_registered", "ท่านลงทะเบียนไว้แล้ว สามารถเพิ่มข้อมูลเจ้าหนี้ในรายการเดิมได้",
                    "Already registered: creditors can be added to the existing case.",
                    case_id=existing.id, receipt_no=existing.receipt_no)



@contextmanager
def totals_alarm(case_id: str | None, problem: tuple[str, str, str] = TOTALS_IMPOSSIBLE) -> Iterator[None]:
    """Impossible totals (``ImpossibleTotals``: in a change, or stored ones met on loading the case) are logged,
    counted (``case_totals_impossible_total``, alerted on) and refused with 409: nothing is written."""
    try:
        yield
    except ImpossibleTotals as impossible:
        log.error("refused case %s: impossible totals %s", case_id or "(new)", impossible)
        IMPOSSIBLE_TOTALS.inc()
        raise Conflict(*problem) from None


def body_hash(body: RegistrationRequest) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def shape_of(case: Case) -> CaseShape:
    """What the caps are checked against: debts per creditor and the stored totals."""
    return CaseShape(tuple(len(c.debts) for c in case.creditors), case.totals.principal_satang,
                     case.totals.outstanding_satang)


@dataclass(frozen=True)
class Existing:
    """The case a desk registration ran into, for the page to name; ``changeable`` if this desk may add to it."""

    case: Case
    changeable: bool


Change = Literal["creditors_added", "debts_added"]


@dataclass
class Intake:
    cases: CaseRepository
    on_commit: Callable[[], None] = lambda: None  # wakes the outbox relay
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def _deny(self, actor: Actor, action: AuditAction, case_id: str | None,
              problem: type[Forbidden | NotFound], message: tuple[str, str, str]) -> Forbidden | NotFound:
        self.cases.record(audit_recorded(actor, action, False, case_id))
        return problem(*message)

    def _find(self, case_id: str, problem: tuple[str, str, str] = TOTALS_IMPOSSIBLE) -> Case | None:
        with totals_alarm(case_id, problem):
            return self.cases.find(case_id[:64])

    def register(self, body: RegistrationRequest, claims: Claims, actor: Actor,
                 idempotency_key: str | None = None) -> Registered:
        """201 result (also on a retry with the same key); raises Forbidden, Invalid or Conflict."""
        channel = Channel(body.channel)
        identity, desk = None, None
        if channel in SELF_CHANNELS:
            typed = normalise_digits(body.debtor.citizen_id or "") or claims.citizen_id or ""
            if claims.citizen_id is None or not may_self_register(claims, typed):
                raise self._deny(actor, AuditAction.CREATE, None, Forbidden, SELF_ONLY)
            identity = VerifiedIdentity(claims.citizen_id, claims.given_name, claims.family_name, claims.birthdate)
        elif claims.has(Role.REGISTRAR, Role.DISTRICT_OFFICER) and claims.unit_code:
            desk = DeskOfficer(claims.unit_code, claims.sub)
        else:
            raise self._deny(actor, AuditAction.CREATE, None, Forbidden, FORBIDDEN)

        claim = IdempotencyClaim(f"{claims.sub}:{idempotency_key}", body_hash(body)) if idempotency_key else None
        try:
            replayed = self.cases.replay(claim) if claim else None
            if replayed is not None:
                return replayed
            now = self.clock()
            case = validate_registration(body, today=thai_date(now), identity=identity, desk=desk)
            if isinstance(case, list):
                raise Invalid(case)
            with totals_alarm(None):
                case.totals.check()  # within the caps this always holds: a bug if not
            if desk is not None and not may_register_at_desk(claims, case.province_code, case.district_code):
                raise self._deny(actor, AuditAction.CREATE, None, Forbidden, OUTSIDE_UNIT)
            result = self.cases.register(
                case, audit=lambda case_id: audit_recorded(actor, AuditAction.CREATE, True, case_id),
                claim=claim, now=now,
            )
            registered(channel)
        except IdempotencyKeyReused:
            raise Invalid([KEY_REUSED]) from None
        except AlreadyRegistered as already:
            self.cases.record(audit_recorded(actor, AuditAction.CREATE, False, already.existing["_id"]))
            with totals_alarm(already.existing["_id"], TOTALS_IMPOSSIBLE_READ):
                existing = case_from_doc(already.existing)  # the store's document, typed at this boundary
            raise already_registered(existing, reveal=may_read_case(claims, existing.location)) from None
        self.on_commit()
        return result

    def read(self, receipt_no: str, claims: Claims, actor: Actor) -> Case:
        """The case, after its audit record is stored; others' cases are NotFound, never Forbidden."""
        canonical = parse_receipt(receipt_no)
        with totals_alarm(canonical, TOTALS_IMPOSSIBLE_READ):
            case = self.cases.find_by_receipt(canonical) if canonical else None
        allowed = case is not None and may_read_case(claims, case.location)
        self.cases.record(audit_recorded(actor, AuditAction.READ, allowed, case.id if case else None))
        self.on_commit()
        if case is None or not allowed:
            raise NotFound(*NOT_FOUND)
        return case

    def _own(self, claims: Claims) -> Case | None:
        with totals_alarm(claims.citizen_id, TOTALS_IMPOSSIBLE_READ):
            return self.cases.find_by_citizen(claims.citizen_id) if claims.citizen_id else None

    def has_case(self, claims: Claims) -> bool:
        """Whether the citizen has registered (one case each): nothing of the case is shown, so nothing is
        recorded."""
        return self._own(claims) is not None

    def read_own(self, claims: Claims, actor: Actor) -> Case | None:
        """A citizen's own case for a page that shows it, after its read is recorded; None if they have none."""
        case = self._own(claims)
        if case is not None:
            self.record_read(case, actor)
        return case

    def record_read(self, case: Case, actor: Actor) -> None:
        """A page is about to show this case (already found allowed): its audit record goes first."""
        self.cases.record(audit_recorded(actor, AuditAction.READ, True, case.id))
        self.on_commit()

    def open_for_change(self, case_id: str, claims: Claims, actor: Actor) -> Case:
        """The case, for a page that changes it: only those who may change it (``may_change_case``) see it,
        and the read is recorded; anyone else gets Forbidden (may read it) or NotFound, recorded as refused."""
        case = self._accessible(case_id, claims, actor, AuditAction.READ, TOTALS_IMPOSSIBLE_READ)
        self.record_read(case, actor)
        return case

    def existing_for_desk(self, case_id: str, claims: Claims, actor: Actor) -> Existing | None:
        """The case a desk registration ran into (``Conflict.detail["case_id"]``), for the review page to name:
        None if this desk may not read it (it learns only that the person is registered); else the case, its
        read recorded first, and whether this desk may add to it."""
        case = self._find(case_id, TOTALS_IMPOSSIBLE_READ) if case_id else None
        if case is None or not may_read_case(claims, case.location):
            return None
        self.record_read(case, actor)
        return Existing(case, may_change_case(claims, case.location))

    def _accessible(self, case_id: str, claims: Claims, actor: Actor, action: AuditAction,
                    problem: tuple[str, str, str] = TOTALS_IMPOSSIBLE) -> Case:
        case = self._find(case_id, problem)
        if case is None or not may_change_case(claims, case.location):
            # Someone who may read the case learns why; anyone else cannot tell it exists.
            readable = case is not None and may_read_case(claims, case.location)
            raise self._deny(actor, action, case.id if case else None,
                             Forbidden if readable else NotFound, READ_ONLY if readable else NOT_FOUND)
        return case

    def _change(self, case: Case, claims: Claims, actor: Actor, apply: Callable[[Case], Case]) -> Case:
        """``apply`` to the case, re-reading it when another change committed first."""
        for _ in range(_CHANGE_ATTEMPTS):
            try:
                with totals_alarm(case.id):
                    changed = apply(case)
            except StaleRevision:
                case = self._accessible(case.id, claims, actor, AuditAction.UPDATE)
                continue
            self.on_commit()
            return changed
        raise Conflict(*BUSY)

    def _store(self, case: Case, creditors: tuple[Creditor, ...], change: Change, delta: Totals, excessive: bool,
               audit: codec.Event) -> Case:
        """The case with ``creditors``, its totals grown by ``delta``, stored with CaseUpdated (the totals after
        the change) and the audit record; raises StaleRevision if the case changed since it was read."""
        changed = replace(case, creditors=creditors, totals=case.totals + delta,
                          excessive_interest=case.excessive_interest or excessive,
                          revision=case.revision + 1, updated_at=self.clock())
        event = case_updated(changed, change)
        return self.cases.change(changed, [(CASE_EVENTS, event), (AUDIT_EVENTS, audit)])

    def add_creditors(self, case_id: str, body: CreditorsRequest, claims: Claims, actor: Actor) -> Case:
        # Refused before validating: no hints about others' cases.
        case = self._accessible(case_id, claims, actor, AuditAction.UPDATE)
        creditors = validate_creditors(body, today=thai_date(self.clock()))
        if isinstance(creditors, list):
            raise Invalid(creditors)
        audit = audit_recorded(actor, AuditAction.UPDATE, True, case.id)

        def apply(current: Case) -> Case:
            # Checked against the case as it is now: a concurrent addition makes this run again on the new one.
            beyond = shape_of(current).plus_creditors(creditors).problems("creditors")
            if beyond:
                raise Invalid(beyond)
            return self._store(current, current.creditors + creditors, "creditors_added", totals_of(creditors),
                               any_excessive_interest(creditors), audit)

        return self._change(case, claims, actor, apply)

    def add_debts(self, case_id: str, creditor_no: int, body: DebtsRequest, claims: Claims, actor: Actor) -> Case:
        case = self._accessible(case_id, claims, actor, AuditAction.UPDATE)
        if not 1 <= creditor_no <= min(len(case.creditors), MAX_CREDITORS_PER_CASE):
            raise NotFound(*NO_CREDITOR)
        debts = validate_debts(body, today=thai_date(self.clock()))
        if isinstance(debts, list):
            raise Invalid(debts)
        audit = audit_recorded(actor, AuditAction.UPDATE, True, case.id)
        index = creditor_no - 1
        added = totals_of((Creditor(debts),))
        delta = Totals(0, added.debt_count, added.principal_satang, added.outstanding_satang)  # no new creditor

        def apply(current: Case) -> Case:
            beyond = shape_of(current).plus_debts(index, debts).problems("debts")
            if beyond:
                raise Invalid(beyond)
            creditors = list(current.creditors)
            creditors[index] = replace(creditors[index], debts=creditors[index].debts + debts)
            return self._store(current, tuple(creditors), "debts_added", delta,
                               any_excessive_interest((Creditor(debts),)), audit)

        return self._change(case, claims, actor, apply)
