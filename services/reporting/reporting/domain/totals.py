"""Totals at the three levels the programme reports on: district, province, nation.

Each case contributes its latest figures once. Events carry the case's figures after the change
and a revision (CaseRegistered is revision 1), so applying an event means replacing the case's
previous contribution; a redelivered or stale event changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NATION = "TH"
INT64_MAX = 2**63 - 1  # BSON's widest integer: a database wraps a wider sum or turns it into a float
FIGURES = ("creditors", "debts", "principal_satang", "outstanding_satang")
ONLINE_CHANNELS = ("self_online", "thaid_app")


@dataclass(frozen=True)
class CaseFigures:
    case_id: str
    revision: int
    province_code: str
    district_code: str
    online: bool
    creditors: int
    debts: int
    principal_satang: int
    outstanding_satang: int

    def as_doc(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class ImpossibleTotals(ValueError):
    """A figure or total no real case or area can have: negative, not an integer (JSON Schema's "integer"
    also admits 1e20), or beyond int64. Refused and alerted on, never stored."""


def _plausible(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INT64_MAX:
        raise ImpossibleTotals(f"{name}={value!r} ({type(value).__name__})")
    return value


def figures_of(event: dict[str, Any], known: CaseFigures | None) -> CaseFigures | None:
    """The case's figures after ``event``; None for events that do not change totals. Raises
    :class:`ImpossibleTotals` for figures no case can have."""
    if event["event_type"] == "CaseRegistered":
        revision, online = 1, event["channel"] in ONLINE_CHANNELS
    elif event["event_type"] == "CaseUpdated":
        revision, online = event["revision"], known.online if known else False
    else:
        return None
    return CaseFigures(
        case_id=event["case_id"], revision=revision, province_code=event["province_code"],
        district_code=event["district_code"], online=online,
        creditors=_plausible("creditor_count", event["creditor_count"]),
        debts=_plausible("debt_count", event["debt_count"]),
        principal_satang=_plausible("principal_satang", event["principal_satang"]),
        outstanding_satang=_plausible("outstanding_satang", event["outstanding_satang"]),
    )


def scopes_of(case: CaseFigures) -> list[tuple[str, str]]:
    """The (level, code) rows a case adds to."""
    return [("district", case.district_code), ("province", case.province_code), ("nation", NATION)]


def contribution(case: CaseFigures | None) -> dict[str, int]:
    if case is None:
        return dict.fromkeys(("cases", "cases_online", "cases_desk", *FIGURES), 0)
    return {
        "cases": 1,
        "cases_online": int(case.online),
        "cases_desk": int(not case.online),
        **{name: getattr(case, name) for name in FIGURES},
    }


def increments(old: CaseFigures | None, new: CaseFigures) -> dict[str, int]:
    """What moving a case from ``old`` to ``new`` adds to each of its rows (same rows: a case's
    district does not change through these events)."""
    before, after = contribution(old), contribution(new)
    return {name: after[name] - before[name] for name in after}


def totals_after(row: dict[str, Any] | None, inc: dict[str, int]) -> dict[str, int]:
    """A totals row after adding ``inc``, computed exactly (Python ints) before the database adds it, so a
    sum that would be negative, non-integer or beyond int64 raises :class:`ImpossibleTotals` instead of
    being wrapped or turned into a float by the database."""
    current = row or {}
    return {name: _plausible(name, _plausible(name, current.get(name, 0)) + change) for name, change in inc.items()}
