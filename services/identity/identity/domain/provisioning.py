"""Staff provisioning as one all-or-nothing step: validate every row, check every row against the
directory (existing accounts, e-mails in use), and only then write. Re-uploading the same file is
safe: each row is create-or-update, keyed by citizen ID.

Keycloak has no transactions, so "all or nothing" while writing is kept by compensation: every write
is journalled first (the account as it was before an update, each account and unit group created),
and when the directory fails part-way the journal is undone in reverse — created accounts deleted,
updated ones put back (fields, attributes, enabled, groups, roles), unit groups created by this import
deleted while still unused. Welcomes are announced only after every row was written, and inside the same
all-or-nothing step (``Welcomes``: an activation request and its ``StaffProvisioned`` event per new account, sent
on by notify — Keycloak's own e-mail is not used), so nobody is invited to an account that is then rolled back
and no new account is left without its welcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple, Protocol

from contracts.access import may_manage_staff, staff_directory_scope
from contracts.claims import Claims, Role
from identity.domain.staff import AccountSnapshot, DirectoryError, StaffAccount, StaffDirectory, StaffRow
from identity.domain.staff_files import RawRow
from identity.domain.staff_rows import RowProblem, validate_rows
from identity.domain.units import UnitCatalogue, group_chain

log = logging.getLogger(__name__)


class NotAllowed(Exception):
    pass


class NotFound(Exception):
    pass


@dataclass
class ImportResult:
    problems: list[RowProblem] = field(default_factory=list)
    created: list[tuple[int, str]] = field(default_factory=list)  # (row, account id)
    updated: list[tuple[int, str]] = field(default_factory=list)
    welcomed: list[int] = field(default_factory=list)  # rows whose welcome (activation link) is on its way

    @property
    def applied(self) -> bool:
        return not self.problems


class NewAccount(NamedTuple):
    user_id: str
    unit_code: str
    role: Role


class Welcomes(Protocol):
    """Where new accounts' welcomes are announced (identity.activation: MongoDB outbox → staff-events → notify)."""

    def announce(self, accounts: Sequence[NewAccount], reason: str = "created") -> None: ...

    def withdraw(self, user_ids: Sequence[str]) -> None: ...


@dataclass
class _Journal:
    """What an import has written so far, in order, so that it can be undone."""

    created_users: list[str] = field(default_factory=list)
    snapshots: list[AccountSnapshot] = field(default_factory=list)
    created_groups: list[str] = field(default_factory=list)
    creating: str | None = None  # citizen ID of a row whose creation had started but not returned

    def undo(self, directory: StaffDirectory) -> tuple[list[str], list[str]]:
        """Puts the directory back; returns (accounts put back, accounts that could not be)."""
        undone: list[str] = []
        left: list[str] = []
        if self.creating is not None:  # the account may exist although create() failed after creating it
            try:
                half = directory.find_by_citizen_id(self.creating)
                if half is not None and half.id not in self.created_users:
                    self.created_users.append(half.id)
            except Exception:  # noqa: BLE001 - the undo goes on; this one is reported
                left.append("unconfirmed-create")  # the account may or may not exist: someone must look
        for user_id in reversed(self.created_users):
            _attempt(partial(directory.delete, user_id), user_id, undone, left)
        for snapshot in reversed(self.snapshots):
            _attempt(partial(directory.restore, snapshot), snapshot.user_id, undone, left)
        for group_id in reversed(self.created_groups):
            try:
                directory.delete_group_if_unused(group_id)
            except Exception as exc:  # noqa: BLE001 - an empty unit group is harmless; provisioning reuses it
                log.warning("could not remove unit group %s created by a failed import: %s", group_id, exc)
        return undone, left


def _attempt(step: Callable[[], None], user_id: str, undone: list[str], left: list[str]) -> None:
    try:
        step()
        undone.append(user_id)
    except Exception:  # whatever stops one account's undo must not stop the others'
        log.exception("rolling back a failed import: account %s could not be put back", user_id)
        left.append(user_id)


class ImportFailed(Exception):
    """The directory failed while the rows were being written. Everything written was undone when
    ``complete``; otherwise ``left`` names the accounts an administrator must check."""

    def __init__(self, cause: Exception, written: list[tuple[str, str]], undone: list[str],
                 left: list[str]) -> None:
        super().__init__(f"import failed part-way ({cause}); undone {len(undone)}, left {left}")
        self.cause, self.written, self.undone, self.left = cause, written, undone, left

    @property
    def complete(self) -> bool:
        return not self.left


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
                 directory: StaffDirectory, welcomes: Welcomes | None = None) -> ImportResult:
    """``welcomes`` None: accounts are written and nobody is told (tests of the directory alone)."""
    rows, problems = validate_rows(raw_rows, uploader, units)
    if problems:
        return ImportResult(problems=problems)
    plan, problems = _preflight(rows, uploader, directory)
    if problems:
        return ImportResult(problems=problems)
    result, journal = ImportResult(), _Journal()
    new_accounts: list[NewAccount] = []
    try:
        for row, existing in plan:
            group_id = directory.ensure_unit_group(group_chain(units, row.unit_code, row.unit_kind),
                                                   journal.created_groups)
            if existing is not None:
                journal.snapshots.append(directory.snapshot(existing.id))
                directory.update(existing.id, row, group_id)
                result.updated.append((row.row, existing.id))
                continue
            journal.creating = row.citizen_id
            user_id = directory.create(row, group_id)
            journal.created_users.append(user_id)
            journal.creating = None
            result.created.append((row.row, user_id))
            new_accounts.append(NewAccount(user_id, row.unit_code, row.role))
        if welcomes is not None:
            welcomes.announce(new_accounts)  # a failure here undoes the import like a directory failure
            result.welcomed = [row_number for row_number, _ in result.created]
    except Exception as exc:  # any failure while writing (not only DirectoryError) is undone
        if not isinstance(exc, DirectoryError):
            log.exception("unexpected failure while writing an import; undoing it")
        if welcomes is not None:
            _withdraw(welcomes, journal.created_users)
        undone, left = journal.undo(directory)
        written = [("staff.create", u) for u in journal.created_users]
        written += [("staff.update", s.user_id) for s in journal.snapshots]
        raise ImportFailed(exc, written, undone, left) from exc
    return result


def _withdraw(welcomes: Welcomes, user_ids: list[str]) -> None:
    try:
        welcomes.withdraw(user_ids)
    except Exception:  # the accounts are undone anyway; a stray request names an account that no longer exists
        log.exception("could not withdraw the welcomes of a failed import")


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
