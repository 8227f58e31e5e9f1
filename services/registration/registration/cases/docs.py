"""How a case is laid out in MongoDB. Dates are ISO strings (BSON has no date-only type), money integer satang."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from registration.cases.case import Case, ContactAttempt, MediationSession, Referral, Status, TimelineEntry, Transfer
from registration.cases.model import Address, Channel, Creditor, Debt, Debtor, NewCase, Totals
from registration.kernel.interest import InterestRate, Period
from registration.kernel.lender_keys import lender_keys
from registration.kernel.limits import CaseShape

Doc = dict[str, Any]
T = TypeVar("T")


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
        "instalment_count": d.instalment_count,
        "effective_bp_per_year": d.effective_bp_per_year,  # stated rate, else the schedule's; None: unknown
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
        "status": Status.NEW.value,
        # Top-level copies for the worklist's filters and indexes (kept in step by ``changed_fields``).
        "subdistrict_code": address.subdistrict_code,
        "threatened": any(d.threatened for c in case.creditors for d in c.debts),
        "collateral_held": any(d.collateral or d.collateral_other for c in case.creditors for d in c.debts),
        "name_key": name_key(debtor),
        "lender_keys": lender_keys(case.creditors),  # the same lender across cases (casework.lenders)
    }



# ---- reading a stored case, and the parts a change writes back ----

def _day(raw: Any) -> date | None:
    return date.fromisoformat(raw) if isinstance(raw, str) and raw else None


def _debt(raw: Doc) -> Debt:
    rate = raw.get("interest_rate_bp")
    period = raw.get("interest_period")
    return Debt(
        principal_satang=raw["principal_satang"], outstanding_satang=raw["outstanding_satang"],
        start_date=_day(raw.get("start_date")),
        interest=InterestRate(rate, Period(period)) if rate is not None and period else None,
        instalment_satang=raw.get("instalment_satang"), instalment_frequency=raw.get("instalment_frequency"),
        repaid_satang=raw.get("repaid_satang") or 0, collateral=tuple(raw.get("collateral") or ()),
        collateral_other=raw.get("collateral_other"), threatened=bool(raw.get("threatened")),
        instalment_count=raw.get("instalment_count"),
    )


def _creditor(raw: Doc) -> Creditor:
    return Creditor(tuple(_debt(d) for d in raw.get("debts") or ()), raw.get("kind") or "unknown", raw.get("name"),
                    raw.get("phone"), raw.get("address_or_area"), raw.get("how_met"), raw.get("how_met_detail"))


def _debtor(raw: Doc) -> Debtor:
    a = raw["address"]
    return Debtor(raw["citizen_id"], raw["given_name"], raw["family_name"],
                  Address(a["line"], a["subdistrict_code"], a["district_code"], a["province_code"],
                          a.get("postal_code")),
                  raw.get("title"), _day(raw.get("birth_date")), raw.get("phone"), raw.get("occupation"),
                  raw.get("monthly_income_satang"))


def _plain(value: Any) -> Any:
    """A value object as a document: dates as ISO strings, datetimes as they are (BSON dates)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _typed(cls: type[T], raw: Doc) -> T:
    """A value object from its document: only the fields it declares; date fields parsed back."""
    values: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in raw:
            continue
        value = raw[f.name]
        if f.type in ("date", "date | None") and isinstance(value, str):
            value = date.fromisoformat(value)
        values[f.name] = value
    return cls(**values)


def case_from_doc(doc: Doc) -> Case:
    transfer = doc.get("transfer")
    return Case(
        id=doc["_id"], receipt_no=doc["receipt_no"], campaign=doc.get("campaign", ""), revision=doc["revision"],
        channel=Channel(doc["channel"]), province_code=doc["province_code"], district_code=doc["district_code"],
        debtor=_debtor(doc["debtor"]), creditors=tuple(_creditor(c) for c in doc.get("creditors") or ()),
        totals=totals_from_doc(doc), created_at=doc["created_at"],
        updated_at=doc.get("updated_at") or doc["created_at"],
        excessive_interest=bool(doc.get("excessive_interest")), unit_code=doc.get("unit_code"),
        officer_sub=doc.get("officer_sub"), help_wanted=tuple(doc.get("help_wanted") or ()),
        help_other=doc.get("help_other"), paper_form_no=doc.get("paper_form_no"),
        paper_received_on=_day(doc.get("paper_received_on")),
        status=Status(doc.get("status") or Status.NEW), assigned_to=doc.get("assigned_to"),
        next_action_due=_day(doc.get("next_action_due")),
        contacts=tuple(_typed(ContactAttempt, c) for c in doc.get("contacts") or ()),
        decision=doc.get("decision"),
        sessions=tuple(_typed(MediationSession, s) for s in doc.get("sessions") or ()),
        referrals=tuple(_typed(Referral, r) for r in doc.get("referrals") or ()),
        closure_reason=doc.get("closure_reason"), closure_note=doc.get("closure_note"),
        transfer=_typed(Transfer, transfer) if transfer else None,
        transfers=tuple(_typed(Transfer, t) for t in doc.get("transfers") or ()),
        timeline=tuple(_typed(TimelineEntry, t) for t in doc.get("timeline") or ()),
    )


def name_key(debtor: Debtor) -> str:
    """What a name search matches: given and family name, lower-case, single spaces."""
    return " ".join(f"{debtor.given_name} {debtor.family_name}".lower().split())


def changed_fields(case: Case) -> Doc:
    """Everything a change may alter, as ``$set`` fields, with the top-level copies the worklist's indexes
    and filters use."""
    return {
        "revision": case.revision, "updated_at": case.updated_at,
        "province_code": case.province_code, "district_code": case.district_code,
        "creditors": [creditor_doc(c) for c in case.creditors], "totals": totals_doc(case.totals),
        "excessive_interest": case.excessive_interest,
        "status": case.status.value, "assigned_to": case.assigned_to,
        "next_action_due": _iso(case.next_action_due),
        "contacts": _plain(case.contacts), "decision": case.decision, "sessions": _plain(case.sessions),
        "referrals": _plain(case.referrals), "closure_reason": case.closure_reason, "closure_note": case.closure_note,
        "transfer": _plain(case.transfer), "transfers": _plain(case.transfers), "timeline": _plain(case.timeline),
        **worklist_fields(case),
    }


def worklist_fields(case: Case) -> Doc:
    """Top-level copies for the worklist's filters and indexes."""
    return {
        "subdistrict_code": case.subdistrict_code, "threatened": case.threatened,
        "collateral_held": case.collateral_held, "name_key": name_key(case.debtor),
        "transfer_to": case.transfer.to_district_code if case.transfer else None,
        "lender_keys": lender_keys(case.creditors),
    }
