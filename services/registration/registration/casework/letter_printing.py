"""Printing invitation letters, one or a batch, and recording on each case that its letter went out.

Only a district officer of the case's district prints its letter (``contracts.access.may_work_case``): the
letter carries the debtor's name, so every case printed is recorded as a read in the audit trail first,
and every refusal as a denied one. Cases whose status takes no letter (a closed case, say: the transition
table) are not printed. The printable cases get consecutive outgoing numbers, reserved in one increment;
the letters are drawn into one PDF, and then ``Casework.record_letters_sent`` records a CaseContacted
(official letter, letter sent, its number) on each.

Printing again the same day reprints a case's letter with the number it already has and records nothing
new, so a reloaded PDF, a jammed printer or a browser fetching the file twice neither burns numbers nor
adds contact attempts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from contracts.access import may_read_casework, may_work_case, worklist_scope
from contracts.claims import Claims
from contracts.errors import ApiError
from registration.cases.case import Case
from registration.cases.errors import Conflict, Forbidden, Invalid, NotFound
from registration.cases.events import Actor, AuditAction, audit_recorded
from registration.cases.store import CaseRepository
from registration.casework import transitions
from registration.casework.casework_rules import MAX_BULK, NOT_FOUND, READ_ONLY, refused
from registration.casework.letter_settings import (
    LetterNumbers,
    LetterSettings,
    LetterSettingsStore,
    letter_number,
    read_form,
)
from registration.casework.letters import compose, letters_pdf
from registration.casework.transitions import Action, TransitionRefused
from registration.casework.use_cases import Casework
from registration.kernel.receipts import be_year, thai_date
from registration.kernel.thai import FieldError

NONE_SELECTED = FieldError("case_ids.required", "กรุณาเลือกอย่างน้อย 1 เรื่อง", "Please select at least one case.",
                           "case_ids")
NOT_DISTRICT = ("letters.district_only", "หนังสือเชิญลูกหนี้ออกโดยเจ้าหน้าที่ของอำเภอที่รับผิดชอบเรื่องเท่านั้น",
                "Letters are sent by officers of the case's district only.")
TOO_MANY = FieldError("case_ids.too_many", f"พิมพ์หนังสือได้ครั้งละไม่เกิน {MAX_BULK:,} เรื่อง",
                      f"At most {MAX_BULK:,} letters at a time.", "case_ids")


@dataclass
class Printed:
    """The PDF and, per case printed, its letter number; ``refused``: cases left out, and why."""

    pdf: bytes
    letter_nos: dict[str, str]
    sent_on: date
    refused: dict[str, ApiError] = field(default_factory=dict)


@dataclass
class Selection:
    """The cases asked for, sorted into those that will get a letter and those that will not (and why)."""

    printable: list[Case] = field(default_factory=list)
    refused: dict[str, ApiError] = field(default_factory=dict)
    receipts: dict[str, str] = field(default_factory=dict)  # of refused cases the officer may read


@dataclass
class LetterPrinting:
    cases: CaseRepository
    casework: Casework
    settings: LetterSettingsStore
    numbers: LetterNumbers
    on_commit: Callable[[], None] = lambda: None  # wakes the outbox relay
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @classmethod
    def over(cls, cases: CaseRepository, casework: Casework, on_commit: Callable[[], None]) -> LetterPrinting:
        """The use case over the app's case repository: its settings and numbers live in the same database.
        Nothing in it holds a connection of its own, so it is cheap to make per request."""
        return cls(cases, casework, LetterSettingsStore(cases.db), LetterNumbers(cases.db), on_commit=on_commit)

    def select(self, case_ids: Iterable[str], claims: Claims, actor: Actor) -> Selection:
        """Sorts the cases (each once, in the order given) without printing anything; refusals are audited
        as denied reads, and nothing about a case one may not see is revealed (NotFound)."""
        ids = list(dict.fromkeys(c[:64] for c in case_ids if c))
        if not ids:
            raise Invalid([NONE_SELECTED])
        if len(ids) > MAX_BULK:
            raise Invalid([TOO_MANY])
        chosen = Selection()
        for case_id in ids:
            case = self.cases.find(case_id)
            problem = self._problem(case, claims)
            if problem is not None:
                chosen.refused[case_id] = problem
                if isinstance(problem, NotFound | Forbidden):
                    self.cases.record(audit_recorded(actor, AuditAction.READ, False, case.id if case else None))
                if case is not None and not isinstance(problem, NotFound):
                    chosen.receipts[case_id] = case.receipt_no
            else:
                assert case is not None
                chosen.printable.append(case)
        if chosen.refused:
            self.on_commit()
        return chosen

    def print_letters(self, case_ids: Iterable[str], claims: Claims, actor: Actor) -> Printed:
        """Letters for every printable case among ``case_ids`` (see ``print_selected``)."""
        return self.print_selected(self.select(case_ids, claims, actor), claims, actor)

    def print_selected(self, chosen: Selection, claims: Claims, actor: Actor) -> Printed:
        """Letters for the selection's printable cases, numbered and recorded as sent. If none is printable,
        the refusal of the first case is raised (NotFound, Forbidden or Conflict), so one letter fails as
        that case would."""
        if not chosen.printable:
            raise next(iter(chosen.refused.values()))
        today = thai_date(self.clock())
        for case in chosen.printable:  # the letter shows the debtor's name and receipt: a read of the case
            self.cases.record(audit_recorded(actor, AuditAction.READ, True, case.id))
        self.on_commit()

        numbers = {c.id: n for c in chosen.printable if (n := _sent_today(c, today)) is not None}
        new = [c for c in chosen.printable if c.id not in numbers]
        district = chosen.printable[0].district_code  # may_work_case: every printable case is the officer's
        settings = self.settings.of(district)
        running = self.numbers.reserve(district, be_year(today), len(new))
        numbers.update({c.id: letter_number(settings.letter_prefix, n) for c, n in zip(new, running, strict=True)})

        def draw(cases: list[Case]) -> bytes:
            return letters_pdf(compose(c, settings, numbers[c.id], today) for c in cases)

        pdf = draw(chosen.printable)
        refused = dict(chosen.refused)
        if new:
            recorded = self.casework.record_letters_sent([c.id for c in new], {c.id: numbers[c.id] for c in new},
                                                         today, claims, actor)
            if recorded.failed:  # changed by someone else between reading and recording (a closing, say)
                refused.update(recorded.failed)
                chosen.printable = [c for c in chosen.printable if c.id not in recorded.failed]
                if not chosen.printable:
                    raise next(iter(recorded.failed.values()))
                pdf = draw(chosen.printable)
        return Printed(pdf, {c.id: numbers[c.id] for c in chosen.printable}, today, refused)

    # ---- the district's letter settings ----

    def settings_for(self, claims: Claims) -> LetterSettings:
        """The settings of the officer's district (its defaults until it saves its own)."""
        return self.settings.of(district_of(claims))

    def save_settings(self, claims: Claims, values: Mapping[str, str]) -> LetterSettings:
        """Saves the officer's district's settings from the form; Invalid with every field's problem."""
        district = district_of(claims)
        found = read_form(district, dict(values))
        if isinstance(found, list):
            raise Invalid(found)
        self.settings.save(found, officer_sub=claims.sub, now=self.clock())
        return found

    @staticmethod
    def _problem(case: Case | None, claims: Claims) -> ApiError | None:
        if case is None:
            return NotFound(*NOT_FOUND)
        if not may_work_case(claims, case.location):
            return Forbidden(*READ_ONLY) if may_read_casework(claims, case.location) else NotFound(*NOT_FOUND)
        try:
            transitions.move(case.status, Action.CONTACT_LETTER_SENT)
        except TransitionRefused as error:
            conflict: Conflict = refused(error)
            return conflict
        return None


def district_of(claims: Claims) -> str:
    """The district whose letters this person sends and sets up: a district officer's own
    (``worklist_scope``); anyone else is Forbidden."""
    scope = worklist_scope(claims)
    if scope is None or scope[0] != "district":
        raise Forbidden(*NOT_DISTRICT)
    return scope[1]


def _sent_today(case: Case, today: date) -> str | None:
    """The number of the letter already sent to this case today, if any: a reprint keeps it."""
    for contact in reversed(case.contacts):
        if (contact.method == "official_letter" and contact.result == "letter_sent" and contact.letter_no
                and contact.contacted_on == today):
            return contact.letter_no
    return None
