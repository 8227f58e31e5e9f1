"""How a case is laid out in MongoDB. Dates are ISO strings (BSON has no date-only type), money integer satang."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from registration.domain.case import Creditor, Debt, NewCase, Totals
from registration.domain.limits import CaseShape

Doc = dict[str, Any]


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def debt_doc(d: Debt) -> Doc:
    return {
        "principal_satang": d.principal_satang,
        "outstanding_satang": d.outstanding_satang,
        "start_date": _iso(d.start_date),
        "interest_rate_bp": d.interest.basis_points if d.interest else None,
        "interest_period": d.interest.period.value if d.interest else None,
        "interest_bp_per_year": d.interest.basis_points_per_year if d.interest else None,
        "instalment_satang": d.instalment_satang,
        "instalment_frequency": d.instalment_frequency,
        "repaid_satang": d.repaid_satang,
        "collateral": list(d.collateral),
        "collateral_other": d.collateral_other,
        "threatened": d.threatened,
        "excessive_interest": d.excessive_interest,
    }


def creditor_doc(c: Creditor) -> Doc:
    return {
        "kind": c.kind,
        "name": c.name,
        "phone": c.phone,
        "address_or_area": c.address_or_area,
        "how_met": c.how_met,
        "how_met_detail": c.how_met_detail,
        "debts": [debt_doc(d) for d in c.debts],
    }


def totals_doc(t: Totals) -> Doc:
    return {"creditor_count": t.creditor_count, "debt_count": t.debt_count,
            "principal_satang": t.principal_satang, "outstanding_satang": t.outstanding_satang}


def totals_from_doc(doc: Doc) -> Totals:
    t = doc["totals"]
    return Totals(t["creditor_count"], t["debt_count"], t["principal_satang"], t["outstanding_satang"])


def shape_from_doc(doc: Doc) -> CaseShape:
    """What the caps are checked against; the stored totals are checked too (``ImpossibleTotals``)."""
    totals = totals_from_doc(doc)
    return CaseShape(tuple(len(c["debts"]) for c in doc["creditors"]), totals.principal_satang,
                     totals.outstanding_satang)


def case_doc(case_id: str, receipt_no: str, campaign: str, case: NewCase, now: datetime, area_data: str) -> Doc:
    debtor, address = case.debtor, case.debtor.address
    return {
        "_id": case_id,
        "receipt_no": receipt_no,
        "campaign": campaign,
        # Top-level copies of what indexes and the access policy need.
        "citizen_id": debtor.citizen_id,
        "province_code": address.province_code,
        "district_code": address.district_code,
        "unit_code": case.unit_code,
        "channel": case.channel.value,
        "officer_sub": case.officer_sub,
        "revision": 1,
        "created_at": now,
        "updated_at": now,
        "debtor": {
            "citizen_id": debtor.citizen_id,
            "title": debtor.title,
            "given_name": debtor.given_name,
            "family_name": debtor.family_name,
            "birth_date": _iso(debtor.birth_date),
            "phone": debtor.phone,
            "address": {
                "line": address.line,
                "subdistrict_code": address.subdistrict_code,
                "district_code": address.district_code,
                "province_code": address.province_code,
                "postal_code": address.postal_code,
            },
            "occupation": debtor.occupation,
            "monthly_income_satang": debtor.monthly_income_satang,
        },
        "creditors": [creditor_doc(c) for c in case.creditors],
        "help_wanted": list(case.help_wanted),
        "help_other": case.help_other,
        "paper_form_no": case.paper_form_no,
        "paper_received_on": _iso(case.paper_received_on),
        "privacy_acknowledged": case.privacy_acknowledged,
        "totals": totals_doc(case.totals),
        "excessive_interest": case.excessive_interest,
        "area_data_version": area_data,
    }

