"""Case-list exports (.xlsx) of a district or a province: who may start and fetch one, and how it is written.

The list is written by the export worker (``contracts.export_jobs``) in constant memory: the scope's cases are read
by one cursor in the order of the scope's registered-time index, and each row goes straight into XlsxWriter's
``constant_memory`` mode (a row is flushed to a temporary file as soon as the next one starts). Every text goes
through ``contracts.xlsx`` (``write_string``, formula-like starts neutralised), numbers stay numbers.

Starting an export is a read of many debtors' personal data: one AuditRecorded (``case.export``, the job as its
target) per export, allowed or refused; each download of the file is another (``case.export_download``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings
from pymongo.collection import Collection

from contracts import codec
from contracts.access import worklist_scope
from contracts.claims import Claims
from contracts.export_jobs import ExportJob, ExportJobs, Progress, atomic_rename
from contracts.xlsx import write_row
from registration.cases.errors import Forbidden, NotFound
from registration.cases.events import Actor, AuditAction, audit_recorded
from registration.cases.store import CaseRepository
from registration.casework.case_export_rows import (
    HEADERS,
    MONEY_COLUMN,
    ORDER,
    WIDTHS,
    AreaNames,
    ExportScope,
    export_scope,
    row_values,
)
from registration.casework.worklist import PROJECTION, on_nx_27017
from registration.casework.worklist_nx import for_nx_27017
from registration.casework.worklist_request import Doc

KIND = "cases"
EXPORT = "case.export"
DOWNLOAD = "case.export_download"
BATCH = 2000
NO_EXPORT = ("บัญชีของท่านส่งออกรายการเรื่องไม่ได้ (สำหรับเจ้าหน้าที่อำเภอ จังหวัด และกรมการปกครอง)",
             "Your account cannot export case lists (district, province and DOPA officers can).")
OUTSIDE = ("ส่งออกได้เฉพาะเรื่องในพื้นที่ของท่าน", "You can export only the cases of your own area.")
NO_JOB = ("ไม่พบงานส่งออกนี้", "No such export.")


class CaseExportSettings(BaseSettings):
    export_dir: Path = Field(Path("var/exports/registration"),
                             validation_alias=AliasChoices("REGISTRATION_EXPORT_DIR", "export_dir"))
    export_keep_hours: float = Field(24.0, gt=0, validation_alias=AliasChoices("REGISTRATION_EXPORT_KEEP_HOURS",
                                                                              "export_keep_hours"))
    export_lease_seconds: float = Field(60.0, gt=0, validation_alias=AliasChoices(
        "REGISTRATION_EXPORT_LEASE_SECONDS", "export_lease_seconds"))


def count_cases(cases: Collection[Doc], where: Doc) -> int:
    # An aggregate, not count_documents: nx-27017 answers this from the index (count_documents: 30 s).
    for group in cases.aggregate([{"$match": where}, {"$group": {"_id": None, "n": {"$sum": 1}}}]):
        return int(group["n"])
    return 0


def write_case_list(cases: Collection[Doc], scope: ExportScope, part: Path, *, nx_27017: bool,
                    progress: Progress | None = None, title: str = "") -> int:
    """Writes the scope's cases into an .xlsx at ``part``; returns the number of rows."""
    where = for_nx_27017(scope.filter()) if nx_27017 else scope.filter()
    if progress is not None:
        progress.total(count_cases(cases, where))
    book = xlsxwriter.Workbook(str(part), {"constant_memory": True, "tmpdir": str(part.parent),
                                           "strings_to_formulas": False, "strings_to_numbers": False,
                                           "strings_to_urls": False})
    book.set_properties({"title": title or f"รายการเรื่อง {scope.name_th}", "author": "กรมการปกครอง"})
    sheet = book.add_worksheet("รายการเรื่อง")
    head = book.add_format({"bold": True, "bg_color": "#E6ECF5", "border": 1, "text_wrap": True, "valign": "top"})
    # Texts keep the default style (no per-cell style: a style on each of millions of cells costs a third of
    # the writing time); the money column needs its number format.
    money = book.add_format({"num_format": "#,##0.00"})
    formats = [money if i == MONEY_COLUMN else None for i in range(len(HEADERS))]
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    write_row(sheet, 0, HEADERS, [head] * len(HEADERS))
    names = AreaNames()
    rows = 0
    for doc in cases.find(where, PROJECTION).sort(ORDER).batch_size(BATCH):
        rows += 1
        write_row(sheet, rows, row_values(doc, names), formats)
        if progress is not None:
            progress.step(rows)
    sheet.autofilter(0, 0, max(rows, 1), len(HEADERS) - 1)
    book.close()
    return rows


def case_list_runner(cases: Collection[Doc], jobs: ExportJobs) -> Callable[[ExportJob, Progress], tuple[str, int]]:
    nx: list[bool] = []

    def run(job: ExportJob, progress: Progress) -> tuple[str, int]:
        if not nx:
            nx.append(on_nx_27017(cases))
        scope = ExportScope("district" if job.scope_level == "district" else "province", job.scope_code)
        part = jobs.part_path(job, ".xlsx")
        rows = write_case_list(cases, scope, part, nx_27017=nx[0], progress=progress)
        file_name = f"{job.id}.xlsx"
        atomic_rename(part, jobs.directory / file_name)
        return file_name, rows

    return run


def download_name(job: ExportJob) -> str:
    return f"cases-{job.scope_level}-{job.scope_code}-{job.id[:8]}.xlsx"


class CaseExports:
    """Starting an export, seeing it, and fetching its file: for whoever may export the same scope."""

    def __init__(self, repo: CaseRepository, jobs: ExportJobs, on_commit: Callable[[], None] = lambda: None,
                 wake: Callable[[], None] = lambda: None) -> None:
        self.repo, self.jobs, self.on_commit, self.wake = repo, jobs, on_commit, wake

    def _audit(self, actor: Actor, action: str, allowed: bool, target: str | None) -> None:
        # The shared builder names case actions; this one names a list, so action and target are set here
        # and the record checked against its contract again (as lenders.py does).
        event: dict[str, Any] = {**audit_recorded(actor, AuditAction.LIST, allowed, None), "action": action,
                                 "target": target[:128] if target else None}
        codec.validate_for_produce(event)
        self.repo.record(event)
        self.on_commit()

    def start(self, claims: Claims, actor: Actor, province_code: str | None, district_code: str | None) -> ExportJob:
        own = worklist_scope(claims)
        if own is None:
            self._audit(actor, EXPORT, False, district_code or province_code)
            raise Forbidden("access.forbidden", *NO_EXPORT)
        scope = export_scope(own, province_code, district_code)
        if scope is None:
            self._audit(actor, EXPORT, False, district_code or province_code or own[1])
            raise Forbidden("export.outside_scope", *OUTSIDE)
        job = self.jobs.create(KIND, claims.sub, (scope.level, scope.code), {})
        self._audit(actor, EXPORT, True, f"{scope.level}:{scope.code}:{job.id}")
        self.wake()
        return job

    def visible(self, claims: Claims, job_id: str) -> ExportJob:
        """The job, for its owner or anyone who may export its scope; 404 for everyone else (and any other id)."""
        job = self.jobs.get(job_id)
        if job is None or job.kind != KIND or not self._may_see(claims, job):
            raise NotFound("export.not_found", *NO_JOB)
        return job

    def _may_see(self, claims: Claims, job: ExportJob) -> bool:
        if job.owner_sub == claims.sub:
            return True
        own = worklist_scope(claims)
        if own is None:
            return False
        level = job.scope_level
        found = export_scope(own, job.scope_code if level == "province" else None,
                             job.scope_code if level == "district" else None)
        return found is not None

    def mine(self, claims: Claims) -> list[ExportJob]:
        if worklist_scope(claims) is None:
            raise Forbidden("access.forbidden", *NO_EXPORT)
        return [job for job in self.jobs.of_owner(claims.sub) if job.kind == KIND]

    def file(self, claims: Claims, actor: Actor, job_id: str) -> tuple[ExportJob, Path]:
        job = self.visible(claims, job_id)
        path = self.jobs.path(job)
        if job.state != "done" or path is None or not path.exists():
            raise NotFound("export.not_ready", "ไฟล์ยังไม่พร้อมหรือหมดอายุแล้ว", "The file is not ready or has expired.")
        self._audit(actor, DOWNLOAD, True, job.id)
        return job, path
