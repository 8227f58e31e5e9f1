"""Live totals, scoped to the caller's administrative unit (contracts.access.totals_scope)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from contracts.access import totals_scope
from contracts.claims import CurrentClaims
from reporting.adapters.totals_store import TotalsStore

router = APIRouter(prefix="/api/v1/totals", tags=["totals"])
BELOW = {"nation": "province", "province": "district"}


@router.get("")
def my_totals(claims: CurrentClaims, request: Request) -> dict[str, Any]:
    """The caller's own level, with the level below it (provinces for DOPA, districts for a province)."""
    scope = totals_scope(claims)
    if scope is None:
        raise HTTPException(403, detail={"th": "ไม่มีสิทธิ์ดูยอดรวม", "en": "Not allowed to read totals"})
    level, code = scope
    store: TotalsStore = request.app.state.totals
    below = BELOW.get(level)
    prefix = "" if level == "nation" else code
    return {
        "level": level,
        "code": code,
        "totals": store.get(level, code) or {"level": level, "code": code, "cases": 0},
        "breakdown": store.children(below, prefix) if below else [],
    }
