"""``GET /api/v1/figures/cases``: every case's reporting snapshot as NDJSON, streamed (no personal data).

For the reporting service's reconciliation (a client-credentials token of its service account) and DOPA
administrators; ``contracts.access.may_read_figures_export``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from contracts.api import error_responses
from contracts.claims import CurrentClaims
from registration.figures.use_cases import FiguresExport

router = APIRouter(prefix="/api/v1/figures", tags=["figures"])
NDJSON = "application/x-ndjson"


@router.get("/cases", response_class=StreamingResponse, responses={
    200: {"content": {NDJSON: {}}, "description": (
        "บรรทัดแรก {kind: export, as_of}; แต่ละเรื่อง {kind: case, case_id, revision, province_code, district_code, "
        "status, facts, transfers}; บรรทัดสุดท้าย {kind: end, cases} / one JSON object a line: head, cases, end")},
    **error_responses(403)})
def figures_of_every_case(claims: CurrentClaims, request: Request) -> StreamingResponse:
    # Sync: the check runs before the first byte; the lines are read page by page in the thread pool.
    lines = FiguresExport.of(request.app.state.cases).lines(claims)
    return StreamingResponse(lines, media_type=NDJSON, headers={"Cache-Control": "no-store"})
