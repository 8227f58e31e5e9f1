"""``GET /api/v1/reconciliation`` (the last result within one's totals scope) and ``POST`` (run now: DOPA
administrators; 202 with the run's id). Thin: the rules are in ``use_cases`` and ``contracts.access``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from contracts.api import error_responses
from contracts.claims import CurrentClaims
from reporting.reconcile.result import RunResult
from reporting.reconcile.use_cases import Reconciliations

router = APIRouter(prefix="/api/v1/reconciliation", tags=["reconciliation"])


async def _reconciliations(request: Request) -> Reconciliations:
    uses: Reconciliations = request.app.state.reconciliations
    return uses


Uses = Annotated[Reconciliations, Depends(_reconciliations)]


class DifferenceOut(BaseModel):
    level: str = Field(description="nation / province / district")
    code: str = Field(description="รหัสจังหวัดหรืออำเภอ (ระดับประเทศว่าง) / unit code, empty for the nation")
    figure: str = Field(description="ชื่อตัวเลข (reporting.totals.figures.FIGURES)")
    expected: int = Field(description="คำนวณใหม่จากข้อมูลของระบบลงทะเบียน / recomputed from registration")
    live: int = Field(description="ยอดรวมสด / the live totals")
    delta: int = Field(description="live - expected")


class RunOut(BaseModel):
    run_id: str
    trigger: str
    outcome: str = Field(description="running / succeeded / failed")
    started_at: datetime
    finished_at: datetime | None
    duration_s: float | None
    cases_read: int
    reads: int = Field(description="ครั้งที่อ่านข้อมูล: 2 เมื่อครั้งแรกพบความต่าง / 2 when the first read differed")
    differences_total: int
    unsettled_total: int
    differences: list[DifferenceOut]
    unsettled: list[DifferenceOut]
    error: str | None


class ReconciliationOut(BaseModel):
    level: str
    code: str
    configured: bool
    running: RunOut | None
    last: RunOut | None = Field(description="ผลล่าสุดที่จบแล้ว เฉพาะหน่วยในขอบเขตของผู้ดู / within the caller's scope")
    history: list[RunOut] = Field(description="ย้อนหลัง ใหม่สุดก่อน (ไม่มีรายการความต่าง) / newest first, counts only")


class RunStarted(BaseModel):
    run_id: str
    started: bool = Field(description="false: a run was already under way; its id is given")


def run_out(result: RunResult) -> RunOut:
    raw: dict[str, Any] = result.as_json()
    return RunOut.model_validate(raw)


@router.get("", response_model=ReconciliationOut, responses=error_responses(403))
def last_reconciliation(claims: CurrentClaims, uses: Uses) -> ReconciliationOut:
    state = uses.state(claims)
    return ReconciliationOut(
        level=state.scope[0], code=state.scope[1], configured=state.configured,
        running=run_out(state.running) if state.running else None,
        last=run_out(state.last) if state.last else None, history=[run_out(r) for r in state.history])


@router.post("", status_code=202, response_model=RunStarted, responses=error_responses(403))
async def reconcile_now(claims: CurrentClaims, uses: Uses) -> JSONResponse:
    run, started = await uses.run_now(claims)
    return JSONResponse(RunStarted(run_id=run.run_id, started=started).model_dump(), status_code=202)
