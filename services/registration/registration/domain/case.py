"""A debtor's case as the intake sees it, and the event that announces it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from contracts import codec

CASE_EVENTS = "case-events"


class Channel(StrEnum):
    SELF_ONLINE = "self_online"
    THAID_APP = "thaid_app"
    DESK = "desk"
    PAPER = "paper"


@dataclass(frozen=True)
class Debt:
    principal_satang: int
    outstanding_satang: int


@dataclass(frozen=True)
class Creditor:
    debts: tuple[Debt, ...] = ()


@dataclass(frozen=True)
class NewCase:
    citizen_id: str
    province_code: str
    district_code: str
    channel: Channel
    unit_code: str | None = None
    creditors: tuple[Creditor, ...] = field(default_factory=tuple)

    @property
    def debts(self) -> list[Debt]:
        return [d for c in self.creditors for d in c.debts]


def case_registered(case_id: str, case: NewCase) -> dict[str, Any]:
    """The CaseRegistered event: codes, counts and amounts only (no personal data)."""
    return codec.new_event(
        "CaseRegistered",
        1,
        case_id=case_id,
        province_code=case.province_code,
        district_code=case.district_code,
        channel=case.channel.value,
        unit_code=case.unit_code,
        creditor_count=len(case.creditors),
        debt_count=len(case.debts),
        principal_satang=sum(d.principal_satang for d in case.debts),
        outstanding_satang=sum(d.outstanding_satang for d in case.debts),
    )
