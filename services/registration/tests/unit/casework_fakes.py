"""An in-memory case repository for casework's use cases, and the people and cases they act on.

``FakeCases`` subclasses ``CaseRepository`` and keeps its contract: ``change`` stores a case only when its
revision is one above the stored one (else ``StaleRevision``) and writes its events with it; ``record`` writes
an audit record alone. Events are validated against the contracts when built (``codec.new_event``), as in
production."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts import codec
from contracts.claims import Claims, Role
from contracts.errors import ApiError
from registration.cases.case import Case
from registration.cases.errors import Invalid
from registration.cases.events import AUDIT_EVENTS, CASE_EVENTS, Actor
from registration.cases.model import Address, Channel, Creditor, Debt, Debtor, Totals
from registration.cases.store import CaseRepository, StaleRevision
from registration.casework.use_cases import Casework
from registration.kernel.interest import InterestRate, Period

REGISTERED = datetime(2025, 1, 6, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok, Monday 6 January 2568 BE
NOW = REGISTERED + timedelta(days=10)


class FakeCases(CaseRepository):
    def __init__(self, *cases: Case) -> None:  # no database: only what casework uses
        self.stored: dict[str, Case] = {c.id: c for c in cases}
        self.outbox: list[tuple[str, codec.Event]] = []  # type: ignore[assignment]
        self.before_change: Callable[[Case], None] | None = None  # e.g. someone else saving first

    def find(self, case_id: str) -> Case | None:
        return self.stored.get(case_id)

    def change(self, case: Case, events: Sequence[tuple[str, codec.Event]]) -> Case:
        if self.before_change is not None:
            hook, self.before_change = self.before_change, None
            hook(case)
        stored = self.stored.get(case.id)
        if stored is None or stored.revision != case.revision - 1:
            raise StaleRevision(case.id)
        self.stored[case.id] = case
        self.outbox.extend(events)
        return case

    def record(self, event: codec.Event, topic: str = AUDIT_EVENTS) -> None:
        self.outbox.append((topic, event))

    # ---- what tests look at ----

    def case_events(self) -> list[codec.Event]:
        return [e for t, e in self.outbox if t == CASE_EVENTS]

    def audits(self) -> list[codec.Event]:
        return [e for t, e in self.outbox if t == AUDIT_EVENTS]


def claims(persona: str) -> Claims:
    """``district_officer:4701``, ``province_officer:47``, ``dopa_admin``, ``registrar:4701``, ``auditor``,
    ``citizen:<id>``: the claims a dev token of that persona carries."""
    role, _, unit = persona.partition(":")
    if role == "citizen":
        return Claims(sub=f"sub-{persona}", roles=frozenset({Role.CITIZEN}), citizen_id=unit)
    return Claims(sub=f"sub-{persona}", roles=frozenset({Role(role)}), unit_code=unit or None)


def actor(persona: str) -> Actor:
    c = claims(persona)
    return Actor.of(c.sub, c.roles, c.unit_code, "127.0.0.1", "req-1")


def make_case(case_id: str = "case-1", *, district: str = "4701", excessive: bool = False,
              threatened: bool = False, **changes: Any) -> Case:
    rate = InterestRate(2000, Period.MONTH) if excessive else None
    debt = Debt(20_000_00, 26_000_00, interest=rate, threatened=threatened, collateral=("id_card",))
    address = Address("99 หมู่ 3", f"{district}01", district, district[:2], None)
    values: dict[str, Any] = {
        "id": case_id, "receipt_no": f"{district[:2]}-2568-{abs(hash(case_id)) % 10**6:06d}", "campaign": "2568",
        "revision": 1, "channel": Channel.SELF_ONLINE, "province_code": district[:2], "district_code": district,
        "debtor": Debtor("1101700230708", "สมศรี", "ใจดี", address, phone="0812345678"),
        "creditors": (Creditor((debt,), "person", "เจ๊หน่อย", "0891112222"),),
        "totals": Totals(1, 1, 20_000_00, 26_000_00), "created_at": REGISTERED, "updated_at": REGISTERED,
        "excessive_interest": excessive,
    }
    values.update(changes)
    return Case(**values)


OFFICER = "district_officer:4701"
Do = Callable[..., Case]


def act(work: Casework, name: str, case_id: str = "case-1", persona: str = OFFICER, **kwargs: Any) -> Case:
    """Calls a use case as ``persona`` with the revision it has just seen."""
    revision = kwargs.pop("revision", None)
    if revision is None:
        found = work.cases.find(case_id)
        revision = found.revision if found else 1
    use_case: Do = getattr(work, name)
    return use_case(case_id, revision, claims(persona), actor(persona), **kwargs)


def refusal(problem: type[ApiError], call: Callable[[], object]) -> ApiError:
    with pytest.raises(problem) as raised:
        call()
    return raised.value


def fields_of(error: ApiError) -> dict[str | None, str]:
    assert isinstance(error, Invalid)
    return {e.field: e.code for e in error.errors}


def to_mediation(work: Casework, case_id: str = "case-1", *, when: str = "2025-01-16T09:30") -> Case:
    act(work, "record_contact", case_id, method="phone", result="reached", contacted_on="2025-01-10")
    act(work, "record_decision", case_id, decision="wants_mediation")
    return act(work, "schedule_mediation", case_id, scheduled_at=when, place="ห้องประชุมอำเภอ", mediator="ปลัดอำเภอ")
