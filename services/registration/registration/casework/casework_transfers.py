"""Moving a case to another district: the request, and the receiving district's acceptance or refusal.

Apart from the other actions because the answer is given by another district than the case's own
(``_run(..., receiving=True)``), and a transfer changes who owns the case."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from contracts.claims import Claims
from registration.cases.case import Case, Transfer
from registration.cases.errors import Conflict
from registration.cases.events import Actor
from registration.casework.casework_rules import (
    NO_TRANSFER,
    TRANSFER_PENDING,
    _Change,
    _raise_if,
)
from registration.casework.change_runner import CaseworkCore
from registration.casework.inputs import NOTE_MAX, SHORT_MAX, Fields
from registration.casework.transitions import Action, Move
from registration.casework.vocabulary import TRANSFER_REFUSAL


class CaseTransfers(CaseworkCore):
    """A transfer's request by the case's district and its answer by the receiving district."""

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


def _pending(case: Case) -> Transfer:
    if case.transfer is None:  # _authorize lets no one through without a pending transfer; kept for the type
        raise Conflict(*NO_TRANSFER)
    return case.transfer
