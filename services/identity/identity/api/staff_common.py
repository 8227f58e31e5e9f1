"""What the staff API and the staff pages share: the directory, the import and its audit trail."""

from __future__ import annotations

from fastapi import HTTPException, Request

from contracts.access import may_provision_staff
from contracts.claims import Claims
from identity.adapters.session_store import SessionStore
from identity.api.deps import record_audit
from identity.domain.provisioning import (
    ImportFailed,
    ImportResult,
    NotAllowed,
    NotFound,
    deactivate_staff,
    import_staff,
)
from identity.domain.staff import StaffAccount, StaffDirectory
from identity.domain.staff_files import read_staff_file
from identity.domain.units import UnitCatalogue

FORBIDDEN = {"th": "ไม่มีสิทธิ์ดำเนินการนี้", "en": "Not allowed"}
NOT_FOUND = {"th": "ไม่พบบัญชีนี้", "en": "No such account"}
UNAVAILABLE = {"th": "ระบบบัญชีผู้ใช้ (Keycloak) ไม่พร้อมใช้งานชั่วคราว กรุณาลองใหม่ภายหลัง",
               "en": "The account directory (Keycloak) is unavailable; please try again later"}
NOTHING_IMPORTED = {
    "code": "import.rolled_back",
    "th": "ระบบบัญชีผู้ใช้ (Keycloak) ขัดข้องระหว่างนำเข้า จึงไม่ได้นำเข้าข้อมูลใดเลย (ระบบย้อนกลับทุกรายการที่ทำไปแล้ว) "
          "กรุณาอัปโหลดไฟล์เดิมอีกครั้งภายหลัง",
    "en": "The account directory (Keycloak) failed during the import, so nothing was imported (every change "
          "already made was undone). Upload the same file again later.",
}
RETRY_AFTER = {"Retry-After": "30"}


def rollback_incomplete(left: list[str]) -> dict[str, object]:
    return {
        "code": "import.rollback_incomplete",
        "th": f"ระบบบัญชีผู้ใช้ (Keycloak) ขัดข้องระหว่างนำเข้า และย้อนกลับได้ไม่ครบ {len(left)} บัญชี "
              "กรุณาแจ้งผู้ดูแลระบบให้ตรวจสอบบัญชีเหล่านี้ (มีรายการในบันทึกการเข้าถึง) ก่อนอัปโหลดใหม่",
        "en": f"The account directory failed during the import and {len(left)} account(s) could not be put back; "
              "ask an administrator to check them (listed in the audit log) before uploading again.",
        "accounts": left,
    }


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
    try:
        result = import_staff(read_staff_file(filename, content), claims, units, directory,
                              request.app.state.welcomes)
    except ImportFailed as failed:
        # Every write that happened is on the record, and so is its undoing (or the failure to undo it).
        for action, user_id in failed.written:
            record_audit(request, claims, action, target=user_id)
        for user_id in failed.undone:
            record_audit(request, claims, "staff.import_rolled_back", target=user_id)
        for user_id in failed.left:
            record_audit(request, claims, "staff.rollback_failed", target=user_id)
        detail = NOTHING_IMPORTED if failed.complete else rollback_incomplete(failed.left)
        raise HTTPException(503, detail=detail, headers=RETRY_AFTER) from None
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
