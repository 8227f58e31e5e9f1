"""JSON API of monthly report exports (bearer tokens): start one (202 + the job), poll it, download the file.

``POST /api/v1/exports/monthly`` ``{"level": "province", "code": "47", "period": "2026-11", "format": "pdf"}``;
``GET /api/v1/exports/monthly/{job_id}`` gives state and progress and, when done, ``download_url``.

The router brings its own lifespan (FastAPI runs it after the app's): the job store in reporting's database,
files under ``REPORTING_EXPORT_DIR``, and the worker, which also picks up jobs a restart interrupted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from contracts.api import error_responses
from contracts.claims import CurrentClaims
from contracts.export_jobs import ExportJob, ExportJobs, ExportWorker
from reporting.exports.pdf import words
from reporting.exports.use_cases import FORMATS, ExportSettings, MonthlyExports, download_name, report_runner


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = ExportSettings()
    database = app.state.mongo[app.state.settings.mongodb_database]
    jobs = ExportJobs(database["export_jobs"], settings.export_dir, lease_s=settings.export_lease_seconds,
                      keep_s=settings.export_keep_hours * 3600)
    jobs.ensure_indexes()
    # The submitted months' figures come through the core port reporting.main wires (app.state.submitted_figures).
    worker = ExportWorker(jobs, report_runner(jobs, lambda: getattr(app.state, "totals_view", None),
                                              submitted=lambda: getattr(app.state, "submitted_figures", None)))
    app.state.monthly_exports = MonthlyExports(jobs, wake=worker.wake.set)
    worker.start()
    # The Thai word dictionary takes a second or two to load: loaded now, not in the first user's report.
    warm_up = asyncio.get_running_loop().run_in_executor(None, words, "รายงานผลการดำเนินงาน")
    try:
        yield
    finally:
        await worker.close()
        await warm_up


router = APIRouter(prefix="/api/v1/exports/monthly", tags=["exports"], lifespan=lifespan)


async def _exports(request: Request) -> MonthlyExports:
    exports: MonthlyExports = request.app.state.monthly_exports
    return exports


Uses = Annotated[MonthlyExports, Depends(_exports)]
JobId = Annotated[str, Path(max_length=64, pattern="^[0-9a-f]{32}$")]


class MonthlyExportIn(BaseModel):
    """ส่งออกรายงานประจำเดือน: the unit (nation TH, a province, a district), the month and the file format."""

    level: Literal["nation", "province", "district"]
    code: str = Field(max_length=4, description="TH, รหัสจังหวัด 2 หลัก หรือรหัสอำเภอ 4 หลัก")
    period: str = Field(max_length=7, description="เดือน ปปปป-ดด (ค.ศ.), e.g. 2026-11")
    format: Literal["xlsx", "pdf"] = "pdf"


class ExportOut(BaseModel):
    id: str
    state: Literal["queued", "running", "done", "failed", "expired"]
    level: str
    code: str
    period: str
    format: str
    percent: int
    error: str | None
    download_url: str | None = Field(description="ลิงก์ดาวน์โหลดเมื่อเสร็จ / when done")
    size: int | None
    expires_at: float | None = Field(description="epoch seconds: the file is deleted after this")


def export_out(request: Request, job: ExportJob, route: str = "download_monthly_export") -> ExportOut:
    url = str(request.url_for(route, job_id=job.id)) if job.state == "done" else None
    return ExportOut(id=job.id, state=job.state, level=job.scope_level, code=job.scope_code,
                     period=str(job.params.get("period")), format=str(job.params.get("format")), percent=job.percent,
                     error=job.error, download_url=url, size=job.size, expires_at=job.expires_at)


@router.post("", status_code=202, response_model=ExportOut, responses=error_responses(403))
def start_monthly_export(body: MonthlyExportIn, request: Request, claims: CurrentClaims, exports: Uses) -> ExportOut:
    """เริ่มส่งออกรายงานประจำเดือน (.xlsx หรือ PDF): runs in the background; poll the job for progress."""
    return export_out(request, exports.start(claims, body.level, body.code, body.period, body.format))


@router.get("", response_model=list[ExportOut], responses=error_responses(403))
def my_monthly_exports(request: Request, claims: CurrentClaims, exports: Uses) -> list[ExportOut]:
    """งานส่งออกของฉัน: one's own recent exports, newest first."""
    return [export_out(request, job) for job in exports.mine(claims)]


@router.get("/{job_id}", response_model=ExportOut)
def monthly_export_status(job_id: JobId, request: Request, claims: CurrentClaims, exports: Uses) -> ExportOut:
    """สถานะงานส่งออก: its state and, when done, the download link."""
    return export_out(request, exports.visible(claims, job_id))


@router.get("/{job_id}/file", response_class=FileResponse,
            responses={200: {"content": {mime: {} for mime in FORMATS.values()}}})
def download_monthly_export(job_id: JobId, claims: CurrentClaims, exports: Uses) -> FileResponse:
    """ดาวน์โหลดรายงาน: for the owner or anyone whose totals scope covers the unit."""
    job, path = exports.file(claims, job_id)
    return FileResponse(path, media_type=FORMATS[str(job.params["format"])], filename=download_name(job),
                        headers={"Cache-Control": "no-store"})
