"""Staff provisioning as one all-or-nothing step: validate every row, check every row against the
directory (existing accounts, e-mails in use), and only then write. Re-uploading the same file is
safe: each row is create-or-update, keyed by citizen ID."""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts.access import may_manage_staff, staff_directory_scope
from contracts.claims import Claims
from identity.domain.staff import DirectoryError, StaffAccount, StaffDirectory, StaffRow
from identity.domain.staff_files import RawRow
from identity.domain.staff_rows import RowProblem, validate_rows
from identity.domain.units import UnitCatalogue, group_chain


class NotAllowed(Exception):
    pass


class NotFound(Exception):
    pass


@dataclass
class ImportResult:
    problems: list[RowProblem] = field(default_factory=list)
    created: list[tuple[int, str]] = field(default_factory=list)  # (row, account id)
    updated: list[tuple[int, str]] = field(default_factory=list)
    email_not_sent: list[int] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.problems


def _preflight(rows: list[StaffRow], uploader: Claims, directory: StaffDirectory
               ) -> tuple[list[tuple[StaffRow, StaffAccount | None]], list[RowProblem]]:
    plan, problems = [], []
    for row in rows:
        existing = directory.find_by_citizen_id(row.citizen_id)
        if existing and existing.unit_code and existing.role and not may_manage_staff(
            uploader, existing.unit_code, existing.role
        ):
            problems.append(RowProblem(row.row, "citizen_id",
                                       "บุคคลนี้มีบัญชีในหน่วยอื่นที่ท่านไม่มีสิทธิ์จัดการ",
                                       "This person has an account in a unit you may not manage"))
        holder = directory.find_by_email(row.email)
        if holder is not None and (existing is None or holder.id != existing.id):
            problems.append(RowProblem(row.row, "email", "อีเมลนี้ถูกใช้กับบัญชีของบุคคลอื่นแล้ว",
                                       "This e-mail already belongs to another account"))
        plan.append((row, existing))
    return plan, problems


def import_staff(raw_rows: list[RawRow], uploader: Claims, units: UnitCatalogue,
                 directory: StaffDirectory) -> ImportResult:
    rows, problems = validate_rows(raw_rows, uploader, units)
    if problems:
        return ImportResult(problems=problems)
    plan, problems = _preflight(rows, uploader, directory)
    if problems:
        return ImportResult(problems=problems)
    result = ImportResult()
    for row, existing in plan:
        group_id = directory.ensure_unit_group(group_chain(units, row.unit_code, row.unit_kind))
        if existing is not None:
            directory.update(existing.id, row, group_id)
            result.updated.append((row.row, existing.id))
            continue
        user_id = directory.create(row, group_id)
        result.created.append((row.row, user_id))
        try:
            directory.send_required_actions_email(user_id)
        except DirectoryError:
            result.email_not_sent.append(row.row)  # the account exists; its required actions still apply
    return result


def deactivate_staff(uploader: Claims, directory: StaffDirectory, user_id: str) -> StaffAccount:
    account = directory.get(user_id)
    if account is None:
        raise NotFound(user_id)
    if account.role is None or account.unit_code is None or not may_manage_staff(
        uploader, account.unit_code, account.role
    ):
        raise NotAllowed(user_id)
    directory.deactivate(user_id)
    return account


def list_staff(reader: Claims, directory: StaffDirectory, page: int, page_size: int
               ) -> tuple[list[StaffAccount], str]:
    scope = staff_directory_scope(reader)
    if scope is None:
        raise NotAllowed("staff directory")
    level, code = scope
    accounts = directory.list_accounts(code if level == "province" else None, (page - 1) * page_size, page_size)
    return accounts, code
