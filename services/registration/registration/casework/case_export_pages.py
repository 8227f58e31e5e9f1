"""Case-list exports from the staff pages: the worklist's button posts ``/casework/exports`` (its own area, or
``district_code`` within it), which starts the job and goes to ``/casework/exports/{job_id}``: progress (the
page refreshes itself through a ``Refresh`` header while the job runs: no script) and, when done, the download
``/casework/exports/{job_id}/file``. The rules are ``case_export.CaseExports``'s, as for the JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from contracts.errors import ApiError
from registration.casework.case_export import CaseExports, download_name
from registration.casework.case_export_api import XLSX
from registration.casework.case_export_rows import ExportScope
from registration.casework.pages_common import posting_staff, sign_in, staff
from registration.web.context import PageProblem, WebContext, actor, posted_form, web

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
Form = Annotated[FormData, Depends(posted_form)]
JobId = Annotated[str, Path(max_length=64)]
STATES = {"queued": ("รอคิว", "Queued"), "running": ("กำลังสร้างไฟล์", "Writing the file"),
          "done": ("เสร็จแล้ว", "Done"), "failed": ("ส่งออกไม่สำเร็จ กรุณาลองใหม่", "Failed; try again"),
          "expired": ("ไฟล์หมดอายุแล้ว", "The file has expired")}


def _exports(request: Request) -> CaseExports:
    found: CaseExports = request.app.state.case_exports
    return found


def _code(form: FormData, name: str, length: int) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and len(value) == length and value.isascii() and value.isdigit() else None


@router.post("/casework/exports")
def start_case_export_page(ctx: Ctx, request: Request, form: Form) -> Response:
    _, claims = posting_staff(ctx, request, form, "/casework")
    try:
        job = _exports(request).start(claims, actor(request, claims), _code(form, "province_code", 2),
                                      _code(form, "district_code", 4))
    except ApiError as problem:
        raise PageProblem(problem.status, problem.th, problem.en) from None
    return RedirectResponse(f"/casework/exports/{job.id}", status_code=303)


@router.get("/casework/exports/{job_id}")
def case_export_page(ctx: Ctx, request: Request, job_id: JobId) -> Response:
    found = staff(ctx, request)
    if found is None:
        return sign_in(request)
    session, claims = found
    try:
        job = _exports(request).visible(claims, job_id)
    except ApiError as problem:
        raise PageProblem(problem.status, problem.th, problem.en) from None
    scope = ExportScope("district" if job.scope_level == "district" else "province", job.scope_code)
    response = ctx.render(request, "case_export.html", session=session, job=job, state=STATES[job.state],
                          area=scope.name_th)
    if job.state in ("queued", "running"):
        response.headers["Refresh"] = "3"
    return response


@router.get("/casework/exports/{job_id}/file")
def case_export_file_page(ctx: Ctx, request: Request, job_id: JobId) -> Response:
    found = staff(ctx, request)
    if found is None:
        return sign_in(request)
    _, claims = found
    try:
        job, path = _exports(request).file(claims, actor(request, claims), job_id)
    except ApiError as problem:
        raise PageProblem(problem.status, problem.th, problem.en) from None
    return FileResponse(path, media_type=XLSX, filename=download_name(job), headers={"Cache-Control": "no-store"})
