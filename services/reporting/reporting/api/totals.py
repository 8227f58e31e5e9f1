"""Live totals, scoped to the caller's administrative unit (contracts.access.totals_scope)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from contracts.access import totals_scope
from contracts.api import error_responses
from contracts.claims import CurrentClaims
from reporting.adapters.totals_store import TotalsStore

router = APIRouter(prefix="/api/v1/totals", tags=["totals"])
BELOW = {"nation": "province", "province": "district"}
Level = Literal["nation", "province", "district"]


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


class MyTotals(BaseModel):
    level: Level
    code: str
    totals: TotalsRow
    breakdown: list[TotalsRow] = Field(description="ยอดรวมของหน่วยระดับถัดลงไป / the level below")


@router.get("", response_model=MyTotals, responses=error_responses(403))
def my_totals(claims: CurrentClaims, request: Request) -> MyTotals:
    """The caller's own level, with the level below it (provinces for DOPA, districts for a province)."""
    scope = totals_scope(claims)
    if scope is None:
        raise HTTPException(403, detail={"code": "access.forbidden", "th": "ไม่มีสิทธิ์ดูยอดรวม",
                                         "en": "Not allowed to read totals"})
    level, code = scope
    store: TotalsStore = request.app.state.totals
    below = BELOW.get(level)
    prefix = "" if level == "nation" else code
    return MyTotals.model_validate({
        "level": level,
        "code": code,
        "totals": store.get(level, code) or {"level": level, "code": code},
        "breakdown": store.children(below, prefix) if below else [],
    })
