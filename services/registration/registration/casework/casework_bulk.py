"""Bulk actions over many cases: assignment to an officer, and recording invitation letters sent.

Each case is changed as it is now (no revision from the client) and a refusal of one case is reported in
``BulkResult.failed`` while the batch goes on; see ``use_cases``' module doc."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from functools import partial

from contracts.access import may_work_case, worklist_scope
from contracts.claims import Claims
from contracts.errors import ApiError
from registration.cases.case import Case
from registration.cases.errors import Forbidden
from registration.cases.events import Actor, AuditAction, audit_recorded
from registration.casework.casework_actions import CaseActions
from registration.casework.casework_rules import (
    MAX_BULK,
    NO_CASEWORK,
    BulkResult,
    _Change,
    _problem,
    _raise_if,
)
from registration.casework.inputs import Fields
from registration.casework.transitions import Action, Move


class BulkActions(CaseActions):
    """Assignment and letters sent, applied case by case (letters are contact attempts, hence CaseActions)."""

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
