"""Stored cases as API responses."""

from __future__ import annotations

from typing import Any

from registration.adapters.case_docs import Doc
from registration.api.schemas import CaseChanged, RegistrationOut, TotalsOut


def _when(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def registration_out(doc: Doc) -> RegistrationOut:
    return RegistrationOut.model_validate({
        **{k: doc.get(k) for k in RegistrationOut.model_fields if k in doc},
        "case_id": doc["_id"],
        "registered_at": _when(doc["created_at"]),
        "unit_code": doc.get("unit_code"),
        "officer_sub": doc.get("officer_sub"),
    })


def case_changed(doc: Doc) -> CaseChanged:
    return CaseChanged(case_id=doc["_id"], receipt_no=doc["receipt_no"], revision=doc["revision"],
                       totals=TotalsOut(**doc["totals"]), excessive_interest=doc["excessive_interest"])
