"""Live totals, scoped to the caller's administrative unit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from contracts.claims import Claims, CurrentClaims, Role
from reporting.adapters.totals_store import TotalsStore
from reporting.domain.totals import NATION

router = APIRouter(prefix="/api/v1/totals", tags=["totals"])


def _scope(claims: Claims) -> tuple[str, str]:
    if claims.has(Role.DOPA_ADMIN):
        return "nation", NATION
    if claims.has(Role.PROVINCE_OFFICER) and claims.unit_code:
        return "province", claims.unit_code[:2]
    if claims.has(Role.DISTRICT_OFFICER, Role.REGISTRAR) and claims.unit_code and len(claims.unit_code) == 4:
        return "district", claims.unit_code
    raise HTTPException(403, detail={"th": "ไม่มีสิทธิ์ดูยอดรวม", "en": "Not allowed to read totals"})


@router.get("")
def my_totals(claims: CurrentClaims, request: Request) -> dict[str, Any]:
    """The caller's own level, with the level below it (provinces for DOPA, districts for a province)."""
    level, code = _scope(claims)
    store: TotalsStore = request.app.state.totals
    below = {"nation": ("province", ""), "province": ("district", code), "district": None}[level]
    return {
        "level": level,
        "code": code,
        "totals": store.get(level, code) or {"level": level, "code": code, "cases": 0},
        "breakdown": store.children(*below) if below else [],
    }
