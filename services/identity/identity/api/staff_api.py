"""JSON API for staff accounts (bearer tokens): upload a staff list, list, deactivate."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from contracts.claims import CurrentClaims
from identity.api.deps import PageNumber, record_audit
from identity.api.staff_common import FORBIDDEN, deactivate, directory_of, run_import
from identity.domain.provisioning import NotAllowed, list_staff
from identity.domain.staff import StaffAccount
from identity.domain.staff_files import MAX_BYTES, FileProblem

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


def account_json(account: StaffAccount) -> dict[str, Any]:
    return {**asdict(account), "role": account.role.value if account.role else None}


@router.post("/imports")
def upload(file: UploadFile, claims: CurrentClaims, request: Request) -> JSONResponse:
    """CSV or XLSX with citizen ID, title, names, position, unit code, role, e-mail, phone.
    422 with every problem per row, or 200 when every row was applied."""
    content = file.file.read(MAX_BYTES + 1)
    try:
        result = run_import(request, claims, file.filename or "", content)
    except FileProblem as exc:
        return JSONResponse({"applied": False, "detail": {"th": exc.th, "en": exc.en}}, status_code=422)
    body = {"applied": result.applied, "problems": [asdict(p) for p in result.problems],
            "created": [{"row": r, "id": i} for r, i in result.created],
            "updated": [{"row": r, "id": i} for r, i in result.updated],
            "email_not_sent": result.email_not_sent}
    return JSONResponse(body, status_code=200 if result.applied else 422)


@router.get("")
def directory(claims: CurrentClaims, request: Request, page: PageNumber = 1,
              page_size: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    try:
        accounts, scope = list_staff(claims, directory_of(request), page, page_size)
    except NotAllowed:
        raise HTTPException(403, detail=FORBIDDEN) from None
    record_audit(request, claims, "staff.list", target=f"scope:{scope}")
    return {"scope": scope, "page": page, "page_size": page_size, "accounts": [account_json(a) for a in accounts]}


@router.post("/{user_id}/deactivate")
def deactivate_account(user_id: str, claims: CurrentClaims, request: Request) -> dict[str, Any]:
    account = deactivate(request, claims, user_id)
    return {"id": account.id, "enabled": False}
