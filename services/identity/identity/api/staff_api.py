"""JSON API for staff accounts (bearer tokens): upload a staff list, list, deactivate."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from contracts.api import error_responses
from contracts.claims import CurrentClaims
from contracts.errors import ErrorOut, FieldProblem, error_body
from identity.api.deps import PageNumber, record_audit
from identity.api.staff_common import FORBIDDEN, deactivate, directory_of, run_import
from identity.domain.provisioning import NotAllowed, list_staff
from identity.domain.staff import StaffAccount
from identity.domain.staff_files import MAX_BYTES, FileProblem

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])
ROWS_REFUSED = ("staff.rows_invalid", "ไฟล์มีแถวที่ไม่ถูกต้อง จึงไม่ได้นำเข้าข้อมูลใดเลย กรุณาแก้ไขตามรายการแล้วอัปโหลดใหม่",
                "Some rows are invalid, so nothing was imported; fix them and upload again")


class RowProblemOut(BaseModel):
    row: int
    field: str
    th: str
    en: str


class ImportRefusedOut(ErrorOut):
    """The one error shape, plus what the upload did (nothing) and every row's problem."""

    applied: bool = False
    problems: list[RowProblemOut] = Field(default_factory=list)
    created: list[dict[str, Any]] = Field(default_factory=list, description="always empty: nothing was imported")
    updated: list[dict[str, Any]] = Field(default_factory=list, description="always empty: nothing was imported")


def account_json(account: StaffAccount) -> dict[str, Any]:
    return {**asdict(account), "role": account.role.value if account.role else None}


@router.post("/imports", responses=error_responses(403, 503, models={422: ImportRefusedOut}))
def upload(file: UploadFile, claims: CurrentClaims, request: Request) -> JSONResponse:
    """CSV or XLSX with citizen ID, title, names, position, unit code, role, e-mail, phone.
    422 with every problem per row, or 200 when every row was applied."""
    content = file.file.read(MAX_BYTES + 1)
    try:
        result = run_import(request, claims, file.filename or "", content)
    except FileProblem as exc:
        return JSONResponse({**error_body("staff.file_invalid", exc.th, exc.en, field="file"), "applied": False},
                            status_code=422)
    problems = [asdict(p) for p in result.problems]
    if not result.applied:
        errors = [FieldProblem(field=f"rows.{p.row}.{p.field}", code="staff.row_invalid", th=p.th, en=p.en)
                  for p in result.problems]
        body = error_body(*ROWS_REFUSED, errors=errors)
        return JSONResponse({**body, "applied": False, "problems": problems, "created": [], "updated": []},
                            status_code=422)
    return JSONResponse({"applied": True, "problems": problems,
                         "created": [{"row": r, "id": i} for r, i in result.created],
                         "updated": [{"row": r, "id": i} for r, i in result.updated],
                         "welcomed": result.welcomed})


@router.get("", responses=error_responses(403, 503))
def directory(claims: CurrentClaims, request: Request, page: PageNumber = 1,
              page_size: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    try:
        accounts, scope = list_staff(claims, directory_of(request), page, page_size)
    except NotAllowed:
        raise HTTPException(403, detail=FORBIDDEN) from None
    record_audit(request, claims, "staff.list", target=f"scope:{scope}")
    return {"scope": scope, "page": page, "page_size": page_size, "accounts": [account_json(a) for a in accounts]}


@router.post("/{user_id}/deactivate", responses=error_responses(403, 503))
def deactivate_account(user_id: str, claims: CurrentClaims, request: Request) -> dict[str, Any]:
    account = deactivate(request, claims, user_id)
    return {"id": account.id, "enabled": False}
