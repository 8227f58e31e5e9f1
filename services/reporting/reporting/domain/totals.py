"""Totals at the three levels the programme reports on: district, province, nation."""

from __future__ import annotations

from typing import Any

NATION = "TH"
COUNTED = ("cases", "creditors", "debts", "principal_satang", "outstanding_satang")


def scopes_of(event: dict[str, Any]) -> list[tuple[str, str]]:
    """The (level, code) rows one case event adds to."""
    return [("district", event["district_code"]), ("province", event["province_code"]), ("nation", NATION)]


def increments(event: dict[str, Any]) -> dict[str, int]:
    """What a CaseRegistered adds to each of its rows, by channel too."""
    online = event["channel"] in ("self_online", "thaid_app")
    return {
        "cases": 1,
        "cases_online": int(online),
        "cases_desk": int(not online),
        "creditors": event["creditor_count"],
        "debts": event["debt_count"],
        "principal_satang": event["principal_satang"],
        "outstanding_satang": event["outstanding_satang"],
    }
