"""The reconciliation page (``/reports/reconciliation``): the last result in Thai (English with ``?lang=en``),
within the signed-in staff member's totals scope; DOPA administrators may start a run from it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from contracts.access import may_run_reconciliation
from contracts.claims import Claims
from reporting.reconcile.use_cases import Reconciliations, Refused
from reporting.totals.figures import BANGKOK, FIGURES
from reporting.web import PREFIX, PageProblem, csrf_form, render, staff

BASE = f"{PREFIX}/reconciliation"
router = APIRouter(prefix=BASE, include_in_schema=False)
Staff = Annotated[Claims, Depends(staff)]
LEVELS = {"nation": ("ประเทศ", "Nation"), "province": ("จังหวัด", "Province"), "district": ("อำเภอ", "District")}
OUTCOMES = {"running": ("กำลังกระทบยอด", "Running"), "succeeded": ("เสร็จสิ้น", "Finished"),
            "failed": ("ไม่สำเร็จ", "Failed")}


def _uses(request: Request) -> Reconciliations:
    uses: Reconciliations = request.app.state.reconciliations
    return uses


@router.get("", response_class=HTMLResponse)
def reconciliation_page(request: Request, claims: Staff) -> Response:
    try:
        state = _uses(request).state(claims)
    except Refused as refused:
        raise PageProblem(403, refused.th, refused.en) from None
    return render(request, "reconciliation.html", {
        "state": state, "labels": FIGURES, "bangkok": BANGKOK, "levels": LEVELS, "outcomes": OUTCOMES,
        "may_run": may_run_reconciliation(claims), "started": request.query_params.get("started"),
    })


@router.post("")
async def run_now_from_page(request: Request, claims: Staff, form: Annotated[FormData, Depends(csrf_form)]) -> Response:
    try:
        run, _ = await _uses(request).run_now(claims)
    except Refused as refused:
        raise PageProblem(403, refused.th, refused.en) from None
    return RedirectResponse(f"{BASE}?started={run.run_id}", status_code=303)
