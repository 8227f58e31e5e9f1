"""JSON API of case-list exports: start one (202 + the job), poll it, download the .xlsx.

``POST /api/v1/exports/cases`` starts an export of one's own district or province (a province or DOPA may name
one district, DOPA one province); ``GET /api/v1/exports/cases/{job_id}`` gives state and progress and, when done,
the download link ``GET /api/v1/exports/cases/{job_id}/file``. The worklist page links to the POST (a button).

The router brings its own lifespan (FastAPI merges it after the app's): it builds the job store over the app's
database and starts the worker, which picks up the jobs a restart interrupted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from contracts.api import error_responses
from contracts.claims import CurrentClaims
from contracts.export_jobs import ExportJob, ExportJobs, ExportWorker
from registration.cases.events import Actor
from registration.casework.case_export import CaseExports, CaseExportSettings, case_list_runner, download_name
from registration.web.context import actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = CaseExportSettings()
    repo = app.state.cases
    jobs = ExportJobs(repo.db["export_jobs"], settings.export_dir, lease_s=settings.export_lease_seconds,
                      keep_s=settings.export_keep_hours * 3600)
    jobs.ensure_indexes()
    worker = ExportWorker(jobs, case_list_runner(repo.cases, jobs))
    app.state.case_exports = CaseExports(repo, jobs, on_commit=app.state.relay.wake, wake=worker.wake.set)
    worker.start()
    try:
        yield
    finally:
        await worker.close()


router = APIRouter(prefix="/api/v1/exports/cases", tags=["exports"], lifespan=lifespan)


async def _exports(request: Request) -> CaseExports:
    exports: CaseExports = request.app.state.case_exports
    return exports


async def _actor(request: Request, claims: CurrentClaims) -> Actor:
    return actor(request, claims)


Uses = Annotated[CaseExports, Depends(_exports)]
Acting = Annotated[Actor, Depends(_actor)]
JobId = Annotated[str, Path(max_length=64, pattern="^[0-9a-f]{32}$")]


class CaseExportIn(BaseModel):
    """ส่งออกรายการเรื่อง: one's own area, or (a province, DOPA) one district or province within it."""

    province_code: str | None = Field(None, pattern="^[0-9]{2}$")
    district_code: str | None = Field(None, pattern="^[0-9]{4}$")


class ExportOut(BaseModel):
    id: str
    state: Literal["queued", "running", "done", "failed", "expired"]
    scope_level: str
    scope_code: str
    done: int = Field(description="แถวที่เขียนแล้ว / rows written")
    total: int | None
    percent: int
    error: str | None
    download_url: str | None = Field(description="ลิงก์ดาวน์โหลดเมื่อเสร็จ / when done")
    size: int | None
    expires_at: float | None = Field(description="epoch seconds: the file is deleted after this")


def _out(request: Request, job: ExportJob) -> ExportOut:
    url = str(request.url_for("download_case_export", job_id=job.id)) if job.state == "done" else None
    return ExportOut(id=job.id, state=job.state, scope_level=job.scope_level,
                     scope_code=job.scope_code, done=job.done, total=job.total, percent=job.percent,
                     error=job.error, download_url=url, size=job.size, expires_at=job.expires_at)


@router.post("", status_code=202, response_model=ExportOut, responses=error_responses(403))
def start_case_export(body: CaseExportIn, request: Request, claims: CurrentClaims, acting: Acting,
                      exports: Uses) -> ExportOut:
    """เริ่มส่งออกรายการเรื่อง (.xlsx): runs in the background; poll the job for progress. Audited."""
    return _out(request, exports.start(claims, acting, body.province_code, body.district_code))


@router.get("", response_model=list[ExportOut], responses=error_responses(403))
def my_case_exports(request: Request, claims: CurrentClaims, exports: Uses) -> list[ExportOut]:
    """งานส่งออกของฉัน: one's own recent exports, newest first."""
    return [_out(request, job) for job in exports.mine(claims)]


@router.get("/{job_id}", response_model=ExportOut)
def case_export_status(job_id: JobId, request: Request, claims: CurrentClaims, exports: Uses) -> ExportOut:
    """สถานะงานส่งออก: state, rows written of the total, and the download link when done."""
    return _out(request, exports.visible(claims, job_id))


@router.get("/{job_id}/file", response_class=FileResponse, responses={200: {"content": {XLSX: {}}}})
def download_case_export(job_id: JobId, claims: CurrentClaims, acting: Acting, exports: Uses) -> FileResponse:
    """ดาวน์โหลดไฟล์ส่งออก: for the owner or anyone who may export the same area. Audited."""
    job, path = exports.file(claims, acting, job_id)
    return FileResponse(path, media_type=XLSX, filename=download_name(job),
                        headers={"Cache-Control": "no-store"})
