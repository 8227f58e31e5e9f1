"""Creditors and their debts, from the form's text to domain values (shared by register and add-creditors)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial

from registration.cases.model import Creditor, Debt
from registration.intake.schemas import CreditorIn, DebtIn
from registration.kernel.collector import Collector
from registration.kernel.interest import InterestRate, Period, parse_instalment_count, parse_rate_bp
from registration.kernel.money import parse_satang
from registration.kernel.thai import parse_past_date, parse_thai_phone


def _debt(c: Collector, at: str, d: DebtIn, today: date) -> Debt:
    rate_bp = c.optional(f"{at}.interest_rate", parse_rate_bp, d.interest_rate)
    interest = None
    if rate_bp is not None:
        if d.interest_period is None:
            c.add(f"{at}.interest_period", "interest_period.required")
        else:
            interest = InterestRate(rate_bp, Period(d.interest_period))
    return Debt(
        principal_satang=c.parse(f"{at}.principal", parse_satang, d.principal, 0),
        outstanding_satang=c.parse(f"{at}.outstanding", parse_satang, d.outstanding, 0),
        start_date=c.optional(f"{at}.start_date", partial(parse_past_date, today=today), d.start_date),
        interest=interest,
        instalment_satang=c.optional(f"{at}.instalment", parse_satang, d.instalment),
        instalment_frequency=d.instalment_frequency,
        instalment_count=c.optional(f"{at}.instalment_count", parse_instalment_count, d.instalment_count),
        repaid_satang=c.optional(f"{at}.repaid", parse_satang, d.repaid) or 0,
        collateral=tuple(dict.fromkeys(d.collateral)),
        collateral_other=c.text(f"{at}.collateral_other", d.collateral_other) or None,
        threatened=d.threatened,
    )


def _creditor(c: Collector, at: str, cr: CreditorIn, today: date) -> Creditor:
    return Creditor(
        debts=collect_debts(c, cr.debts, today, f"{at}.debts"),
        kind=cr.kind,
        name=c.text(f"{at}.name", cr.name, name=True) or None,
        phone=c.optional(f"{at}.phone", parse_thai_phone, cr.phone),
        address_or_area=c.text(f"{at}.address_or_area", cr.address_or_area) or None,
        how_met=cr.how_met,
        how_met_detail=c.text(f"{at}.how_met_detail", cr.how_met_detail) or None,
    )


def collect_creditors(c: Collector, creditors: Sequence[CreditorIn], today: date,
                      at: str = "creditors") -> tuple[Creditor, ...]:
    if not creditors:
        c.add(at, "creditors.required")
    return tuple(_creditor(c, f"{at}.{i}", cr, today) for i, cr in enumerate(creditors))


def collect_debts(c: Collector, debts: Sequence[DebtIn], today: date, at: str = "debts") -> tuple[Debt, ...]:
    if not debts:
        c.add(at, "debts.required")
    return tuple(_debt(c, f"{at}.{i}", d, today) for i, d in enumerate(debts))
