"""What the staff API and the staff pages share: the directory, the import and its audit trail."""

from __future__ import annotations

from fastapi import HTTPException, Request

from contracts.access import may_provision_staff
from contracts.claims import Claims
from identity.adapters.session_store import SessionStore
from identity.api.deps import record_audit
from identity.domain.provisioning import ImportResult, NotAllowed, NotFound, deactivate_staff, import_staff
from identity.domain.staff import StaffAccount, StaffDirectory
from identity.domain.staff_files import read_staff_file
from identity.domain.units import UnitCatalogue

FORBIDDEN = {"th": "ไม่มีสิทธิ์ดำเนินการนี้", "en": "Not allowed"}
NOT_FOUND = {"th": "ไม่พบบัญชีนี้", "en": "No such account"}
UNAVAILABLE = {"th": "ระบบบัญชีผู้ใช้ (Keycloak) ไม่พร้อมใช้งาน", "en": "The account directory is unavailable"}


def directory_of(request: Request) -> StaffDirectory:
    directory: StaffDirectory | None = request.app.state.staff_directory
    if directory is None:
        raise HTTPException(503, detail=UNAVAILABLE)
    return directory


def require_provisioner(claims: Claims) -> None:
    if not may_provision_staff(claims):
        raise HTTPException(403, detail=FORBIDDEN)


def run_import(request: Request, claims: Claims, filename: str, content: bytes) -> ImportResult:
    """Raises FileProblem for an unreadable file; otherwise all rows applied or none."""
    require_provisioner(claims)
    directory = directory_of(request)
    units: UnitCatalogue = request.app.state.units
    result = import_staff(read_staff_file(filename, content), claims, units, directory)
    if not result.applied:
        record_audit(request, claims, "staff.import", outcome="denied")
    for _row, user_id in result.created:
        record_audit(request, claims, "staff.create", target=user_id)
    for _row, user_id in result.updated:
        record_audit(request, claims, "staff.update", target=user_id)
    return result


def deactivate(request: Request, claims: Claims, user_id: str) -> StaffAccount:
    require_provisioner(claims)
    try:
        account = deactivate_staff(claims, directory_of(request), user_id)
    except (NotFound, NotAllowed):
        # Accounts outside one's unit are "not found", so their existence is not revealed.
        record_audit(request, claims, "staff.deactivate", outcome="denied", target=user_id[:128])
        raise HTTPException(404, detail=NOT_FOUND) from None
    sessions: SessionStore = request.app.state.sessions
    sessions.end_all_of(user_id)
    record_audit(request, claims, "staff.deactivate", target=user_id)
    return account
