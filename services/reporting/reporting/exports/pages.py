"""The exports page (staff session): start a monthly report export, watch its progress (the page refreshes
itself every few seconds while a job runs: no script), download the file."""

from __future__ import annotations

from typing import Annotated, Any

import geothai
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from contracts.access import totals_scope
from contracts.claims import Claims
from contracts.errors import ApiError
from contracts.export_jobs import ExportJob
from reporting.exports.report import MONTHS_TH, unit_name
from reporting.exports.use_cases import FORMATS, MonthlyExports, bangkok_today, download_name
from reporting.web import PREFIX, PageProblem, csrf_form, render, staff

router = APIRouter(prefix=f"{PREFIX}/exports", include_in_schema=False)
Staff = Annotated[Claims, Depends(staff)]
JobId = Annotated[str, Path(max_length=64, pattern="^[0-9a-f]{32}$")]
STATES = {"queued": ("รอคิว", "Queued"), "running": ("กำลังสร้างไฟล์", "Running"), "done": ("เสร็จแล้ว", "Done"),
          "failed": ("ไม่สำเร็จ", "Failed"), "expired": ("หมดอายุ", "Expired")}
NO_SCOPE = ("บัญชีของท่านไม่มีสิทธิ์ดูรายงาน", "Your account cannot read reports.")


def _exports(request: Request) -> MonthlyExports:
    exports: MonthlyExports = request.app.state.monthly_exports
    return exports


def _units(claims: Claims) -> list[tuple[str, str]]:
    """The units one may export: one's own, and for a province its districts (DOPA: the nation and provinces)."""
    scope = totals_scope(claims)
    if scope is None:
        raise PageProblem(403, *NO_SCOPE)
    level, code = scope
    own = [(f"{level}:{code}", unit_name(level, code))]
    if level == "nation":
        return own + [(f"province:{p.code}", unit_name("province", p.code)) for p in geothai.provinces()]
    if level == "province":
        return own + [(f"district:{d.code}", unit_name("district", d.code)) for d in geothai.districts(code)]
    return own


def _periods(count: int = 12) -> list[tuple[str, str]]:
    today = bangkok_today()
    year, month = today.year, today.month
    found = []
    for _ in range(count):
        found.append((f"{year}-{month:02d}", f"{MONTHS_TH[month - 1]} {year + 543}"))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


def _row(job: ExportJob) -> dict[str, Any]:
    return {"id": job.id, "name": unit_name(job.scope_level, job.scope_code), "period": job.params.get("period"),
            "format": job.params.get("format"), "state": job.state, "percent": job.percent, "error": job.error}


@router.get("")
def exports_page(request: Request, claims: Staff) -> Response:
    jobs = _exports(request).mine(claims)
    return render(request, "exports.html", {
        "units": _units(claims), "periods": _periods(), "jobs": [_row(j) for j in jobs], "states": STATES,
        "running": any(j.state in ("queued", "running") for j in jobs)})


@router.post("")
def start_export(request: Request, claims: Staff, form: Annotated[FormData, Depends(csrf_form)]) -> Response:
    level, _, code = str(form.get("unit") or "").partition(":")
    fmt = str(form.get("format") or "pdf")
    try:
        _exports(request).start(claims, level, code, str(form.get("period") or ""), fmt)
    except ApiError as refused:
        raise PageProblem(refused.status, refused.th, refused.en) from None
    return RedirectResponse(f"{PREFIX}/exports", status_code=303)


@router.get("/{job_id}/file")
def download_export(job_id: JobId, request: Request, claims: Staff) -> Response:
    try:
        job, path = _exports(request).file(claims, job_id)
    except ApiError as refused:
        raise PageProblem(refused.status, refused.th, refused.en) from None
    return FileResponse(path, media_type=FORMATS[str(job.params["format"])], filename=download_name(job),
                        headers={"Cache-Control": "no-store"})
