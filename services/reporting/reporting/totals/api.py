"""Live totals, scoped to the caller's administrative unit (contracts.access.totals_scope), read from the
web process's :class:`reporting.totals.view.TotalsView`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from contracts.access import totals_scope
from contracts.api import error_responses
from contracts.claims import CurrentClaims
from reporting.totals.view import TotalsView

router = APIRouter(prefix="/api/v1/totals", tags=["totals"])
BELOW = {"nation": "province", "province": "district"}
Level = Literal["nation", "province", "district"]
ONLINE = ("registrants_self_online", "registrants_thaid_app")
AT_A_DESK = ("registrants_desk", "registrants_paper")


class TotalsRow(BaseModel):
    """ยอดรวมของหน่วยหนึ่ง: one unit's totals (money in satang)."""

    level: Level
    code: str = Field(description="TH, รหัสจังหวัด 2 หลัก หรือรหัสอำเภอ 4 หลัก")
    cases: int = 0
    cases_online: int = 0
    cases_desk: int = 0
    creditors: int = 0
    debts: int = 0
    principal_satang: int = 0
    outstanding_satang: int = 0
    figures: dict[str, int] = Field(default_factory=dict, description=(
        "ทุกตัวเลข (reporting.totals.figures.FIGURES; ที่ไม่มีคือศูนย์) / every figure, a missing one is zero"))


class MyTotals(BaseModel):
    level: Level
    code: str
    totals: TotalsRow
    breakdown: list[TotalsRow] = Field(description="ยอดรวมของหน่วยระดับถัดลงไป / the level below")


def totals_row(level: Level, code: str, figures: Mapping[str, int]) -> TotalsRow:
    """The row of the first API version (cases by online/desk channel) plus every figure."""
    return TotalsRow(
        level=level, code=code, cases=figures.get("registrants", 0),
        cases_online=sum(figures.get(name, 0) for name in ONLINE),
        cases_desk=sum(figures.get(name, 0) for name in AT_A_DESK),
        creditors=figures.get("creditors", 0), debts=figures.get("debts", 0),
        principal_satang=figures.get("principal_satang", 0), outstanding_satang=figures.get("outstanding_satang", 0),
        figures=dict(figures),
    )


@router.get("", response_model=MyTotals, responses=error_responses(403))
def my_totals(claims: CurrentClaims, request: Request) -> MyTotals:
    """The caller's own level, with the level below it (provinces for DOPA, districts for a province)."""
    scope = totals_scope(claims)
    if scope is None:
        raise HTTPException(403, detail={"code": "access.forbidden", "th": "ไม่มีสิทธิ์ดูยอดรวม",
                                         "en": "Not allowed to read totals"})
    level, code = scope
    view: TotalsView = request.app.state.totals_view
    below = BELOW.get(level)
    parent = "" if level == "nation" else code
    breakdown = [totals_row(below, unit, view.figures(below, unit))  # type: ignore[arg-type]
                 for unit in view.units(below, parent)] if below else []
    return MyTotals(level=level, code=code, totals=totals_row(level, code, view.figures(level, code)),  # type: ignore[arg-type]
                    breakdown=breakdown)
