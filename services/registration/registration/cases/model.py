"""A debtor's case as the intake sees it: the debtor, creditors, debts and help wanted.

Plain frozen dataclasses with canonical values (citizen ID digits, satang, dates, DOPA codes);
parsing and messages live in the validators, storage in the adapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from registration.kernel.interest import InstalmentSchedule, InterestRate, effective_bp_per_year, is_excessive


class Channel(StrEnum):
    SELF_ONLINE = "self_online"
    THAID_APP = "thaid_app"
    DESK = "desk"
    PAPER = "paper"


SELF_CHANNELS = frozenset({Channel.SELF_ONLINE, Channel.THAID_APP})
DESK_CHANNELS = frozenset({Channel.DESK, Channel.PAPER})


@dataclass(frozen=True)
class Address:
    line: str
    subdistrict_code: str
    district_code: str
    province_code: str
    postal_code: str | None = None


@dataclass(frozen=True)
class Debtor:
    citizen_id: str
    given_name: str
    family_name: str
    address: Address
    title: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    occupation: str | None = None
    monthly_income_satang: int | None = None


@dataclass(frozen=True)
class Debt:
    principal_satang: int
    outstanding_satang: int
    start_date: date | None = None
    interest: InterestRate | None = None
    instalment_satang: int | None = None
    instalment_frequency: str | None = None
    repaid_satang: int = 0
    collateral: tuple[str, ...] = ()
    collateral_other: str | None = None
    threatened: bool = False
    instalment_count: int | None = None

    @property
    def schedule(self) -> InstalmentSchedule | None:
        """The repayment schedule, when principal, instalment, frequency and count are all known."""
        return InstalmentSchedule.of(self.principal_satang, self.instalment_satang, self.instalment_frequency,
                                     self.instalment_count)

    @property
    def effective_bp_per_year(self) -> int | None:
        """The stated rate a year, else the schedule's effective rate, else None (unknown)."""
        return effective_bp_per_year(self.interest, self.schedule)

    @property
    def excessive_interest(self) -> bool:
        return is_excessive(self.effective_bp_per_year)


@dataclass(frozen=True)
class Creditor:
    debts: tuple[Debt, ...] = ()
    kind: str = "unknown"
    name: str | None = None
    phone: str | None = None
    address_or_area: str | None = None
    how_met: str | None = None
    how_met_detail: str | None = None


INT64_MAX = 2**63 - 1  # BSON's widest integer; beyond it a database may wrap or turn a sum into a float


class ImpossibleTotals(ValueError):
    """Totals no real case can have (negative, not an integer, beyond int64 satang): corrupt data or a bug,
    never a user's mistake. Refused, and raised as an alarm by whoever catches it."""


def check_total(name: str, value: object) -> int:
    """``value`` if it is a plausible count or satang total; else :class:`ImpossibleTotals`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INT64_MAX:
        raise ImpossibleTotals(f"{name}={value!r} ({type(value).__name__})")
    return value


@dataclass(frozen=True)
class Totals:
    """A case's counts and sums; constructing impossible ones raises :class:`ImpossibleTotals`, so they can
    reach neither the stored case nor an event."""

    creditor_count: int
    debt_count: int
    principal_satang: int
    outstanding_satang: int

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        for name in ("creditor_count", "debt_count", "principal_satang", "outstanding_satang"):
            check_total(name, getattr(self, name))

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.creditor_count + other.creditor_count,
            self.debt_count + other.debt_count,
            self.principal_satang + other.principal_satang,
            self.outstanding_satang + other.outstanding_satang,
        )


def totals_of(creditors: tuple[Creditor, ...]) -> Totals:
    debts = [d for c in creditors for d in c.debts]
    return Totals(
        creditor_count=len(creditors),
        debt_count=len(debts),
        principal_satang=sum(d.principal_satang for d in debts),
        outstanding_satang=sum(d.outstanding_satang for d in debts),
    )


def any_excessive_interest(creditors: tuple[Creditor, ...]) -> bool:
    return any(d.excessive_interest for c in creditors for d in c.debts)


@dataclass(frozen=True)
class NewCase:
    debtor: Debtor
    channel: Channel
    creditors: tuple[Creditor, ...] = ()
    help_wanted: tuple[str, ...] = ()
    help_other: str | None = None
    unit_code: str | None = None  # the desk, for desk and paper registrations
    officer_sub: str | None = None  # who keyed it in, for desk and paper registrations
    paper_form_no: str | None = None
    paper_received_on: date | None = None
    privacy_acknowledged: bool = False

    @property
    def citizen_id(self) -> str:
        return self.debtor.citizen_id

    @property
    def province_code(self) -> str:
        return self.debtor.address.province_code

    @property
    def district_code(self) -> str:
        return self.debtor.address.district_code

    @property
    def totals(self) -> Totals:
        return totals_of(self.creditors)

    @property
    def excessive_interest(self) -> bool:
        return any_excessive_interest(self.creditors)
