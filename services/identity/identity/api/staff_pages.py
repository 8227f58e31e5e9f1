"""Staff pages (session cookie, CSRF on every form): upload a staff list, the staff directory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from identity.api.deps import PageNumber, record_audit
from identity.api.staff_common import FORBIDDEN, deactivate, directory_of, require_provisioner, run_import
from identity.domain.provisioning import NotAllowed, list_staff
from identity.domain.staff_files import FIELDS, MAX_BYTES, FileProblem
from identity.web.pages import render
from identity.web.session import PageClaims, check_csrf, page_context

router = APIRouter(prefix="/staff", tags=["staff pages"], include_in_schema=False)
PAGE_SIZE = 50


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, claims: PageClaims) -> Response:
    require_provisioner(claims)
    return render(request, "staff_import.html", fields=FIELDS, **page_context(request, claims))


@router.post("/import", response_class=HTMLResponse)
def import_upload(request: Request, claims: PageClaims, file: UploadFile,
                  csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    content = file.file.read(MAX_BYTES + 1)
    context = page_context(request, claims)
    try:
        result = run_import(request, claims, file.filename or "", content)
    except FileProblem as exc:
        return render(request, "staff_import.html", status_code=422, fields=FIELDS,
                      file_problem={"th": exc.th, "en": exc.en}, **context)
    return render(request, "staff_import.html", status_code=200 if result.applied else 422, fields=FIELDS,
                  result=result, **context)


@router.get("/directory", response_class=HTMLResponse)
def directory_page(request: Request, claims: PageClaims, page: PageNumber = 1,
                   done: str = "") -> Response:
    try:
        accounts, scope = list_staff(claims, directory_of(request), page, PAGE_SIZE)
    except NotAllowed:
        return render(request, "error.html", status_code=403, th=FORBIDDEN["th"], en=FORBIDDEN["en"])
    record_audit(request, claims, "staff.list", target=f"scope:{scope}")
    return render(request, "staff_directory.html", accounts=accounts, scope=scope, page=page,
                  has_next=len(accounts) == PAGE_SIZE, done=done == "deactivated", resent=done == "welcome_resent",
                  **page_context(request, claims))


@router.post("/{user_id}/deactivate")
def deactivate_page(request: Request, claims: PageClaims, user_id: str, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    deactivate(request, claims, user_id)
    return RedirectResponse("/staff/directory?done=deactivated", status_code=303)
