"""Cases as API responses: the same JSON, field for field, as when the API returned stored documents."""

from __future__ import annotations

from datetime import date

from registration.cases.case import Case
from registration.cases.model import Creditor, Debt, Debtor, Totals
from registration.intake.schemas import (
    AddressOut,
    CaseChanged,
    CreditorOut,
    DebtorOut,
    DebtOut,
    RegistrationOut,
    TotalsOut,
)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _debt(d: Debt) -> DebtOut:
    return DebtOut(
        principal_satang=d.principal_satang, start_date=_iso(d.start_date),
        interest_rate_bp=d.interest.basis_points if d.interest else None,
        interest_period=d.interest.period.value if d.interest else None,
        instalment_satang=d.instalment_satang, instalment_frequency=d.instalment_frequency,
        instalment_count=d.instalment_count, effective_bp_per_year=d.effective_bp_per_year,
        repaid_satang=d.repaid_satang, outstanding_satang=d.outstanding_satang, collateral=list(d.collateral),
        collateral_other=d.collateral_other, threatened=d.threatened, excessive_interest=d.excessive_interest,
    )


def _creditor(c: Creditor) -> CreditorOut:
    return CreditorOut(kind=c.kind, name=c.name, phone=c.phone,
                       address_or_area=c.address_or_area, how_met=c.how_met, how_met_detail=c.how_met_detail,
                       debts=[_debt(d) for d in c.debts])


def _debtor(d: Debtor) -> DebtorOut:
    a = d.address
    return DebtorOut(
        citizen_id=d.citizen_id, title=d.title, given_name=d.given_name, family_name=d.family_name,
        birth_date=_iso(d.birth_date), phone=d.phone,
        address=AddressOut(line=a.line, subdistrict_code=a.subdistrict_code, district_code=a.district_code,
                           province_code=a.province_code, postal_code=a.postal_code),
        occupation=d.occupation, monthly_income_satang=d.monthly_income_satang,
    )


def _totals(t: Totals) -> TotalsOut:
    return TotalsOut(creditor_count=t.creditor_count, debt_count=t.debt_count, principal_satang=t.principal_satang,
                     outstanding_satang=t.outstanding_satang)


def registration_out(case: Case) -> RegistrationOut:
    return RegistrationOut(
        case_id=case.id, receipt_no=case.receipt_no, campaign=case.campaign, revision=case.revision,
        registered_at=case.created_at.isoformat(), channel=case.channel.value, unit_code=case.unit_code,
        officer_sub=case.officer_sub, paper_form_no=case.paper_form_no,
        paper_received_on=_iso(case.paper_received_on),
        # A case is stored only once its debtor has acknowledged the privacy notice (validate_registration).
        privacy_acknowledged=True,
        debtor=_debtor(case.debtor), creditors=[_creditor(c) for c in case.creditors],
        help_wanted=list(case.help_wanted), help_other=case.help_other, totals=_totals(case.totals),
        excessive_interest=case.excessive_interest,
    )


def case_changed(case: Case) -> CaseChanged:
    return CaseChanged(case_id=case.id, receipt_no=case.receipt_no, revision=case.revision,
                       totals=_totals(case.totals), excessive_interest=case.excessive_interest)
