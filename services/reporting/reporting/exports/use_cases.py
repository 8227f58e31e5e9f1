"""Monthly report exports (.xlsx or PDF of a district, a province or the nation): who may start, see and fetch
one, and the job runner that writes it: a submitted month from its frozen submitted version
(``reporting.snapshots.SubmittedFigures``), a month not submitted from the live totals, labelled so.

A report is as wide as one's totals scope (``contracts.access.totals_scope``): DOPA any unit, a province officer
their province or one of its districts, a district their own. A job is seen by its owner and by anyone whose
scope covers the report's unit; anyone else is told it does not exist (404).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings

from contracts.access import totals_scope
from contracts.claims import Claims
from contracts.errors import ApiError
from contracts.export_jobs import ExportJob, ExportJobs, Interrupted, Progress, atomic_rename
from reporting.exports.pdf_report import report_pdf
from reporting.exports.report import (
    LEVELS,
    FiguresSource,
    ReportFigures,
    from_snapshot,
    from_view,
    short_name,
    valid_period,
)
from reporting.exports.xlsx_report import write_report_xlsx
from reporting.snapshots import SubmittedFigures
from reporting.totals.figures import BANGKOK

KIND = "monthly"
READY_WAIT_S = 120.0
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


class ExportSettings(BaseSettings):
    export_dir: Path = Field(Path("var/exports/reporting"),
                             validation_alias=AliasChoices("REPORTING_EXPORT_DIR", "export_dir"))
    export_keep_hours: float = Field(24.0, gt=0, validation_alias=AliasChoices("REPORTING_EXPORT_KEEP_HOURS",
                                                                              "export_keep_hours"))
    export_lease_seconds: float = Field(60.0, gt=0, validation_alias=AliasChoices(
        "REPORTING_EXPORT_LEASE_SECONDS", "export_lease_seconds"))


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Invalid(ApiError):
    status = 422


class Unavailable(ApiError):
    status = 503


def covers(scope: tuple[str, str], level: str, code: str) -> bool:
    """A totals scope contains the unit (a province its districts; the nation everything)."""
    own_level, own_code = scope
    if own_level == "nation":
        return True
    if own_level == "province":
        return (level == "province" and code == own_code) or (level == "district" and code[:2] == own_code)
    return own_level == "district" and level == "district" and code == own_code


def known_unit(level: str, code: str) -> bool:
    if level == "nation":
        return code == "TH"
    wanted = 2 if level == "province" else 4
    return len(code) == wanted and code.isascii() and code.isdigit() and short_name(code) != code


def bangkok_today() -> date:
    return datetime.now(UTC).astimezone(BANGKOK).date()


class MonthlyExports:
    def __init__(self, jobs: ExportJobs, wake: Callable[[], None] = lambda: None) -> None:
        self.jobs, self.wake = jobs, wake

    def start(self, claims: Claims, level: str, code: str, period: str, fmt: str) -> ExportJob:
        scope = totals_scope(claims)
        if scope is None:
            raise Forbidden("access.forbidden", "ท่านไม่มีสิทธิ์ส่งออกรายงาน", "You may not export reports.")
        if level not in LEVELS or not known_unit(level, code):
            raise Invalid("export.unknown_unit", "ไม่พบหน่วยงานนี้", "No such unit.", field="code")
        if not valid_period(period):
            raise Invalid("export.period", "กรุณาระบุเดือนเป็น ปปปป-ดด (ค.ศ.)", "Give the month as YYYY-MM.",
                          field="period")
        if fmt not in FORMATS:
            raise Invalid("export.format", "รูปแบบไฟล์ต้องเป็น xlsx หรือ pdf", "The format is xlsx or pdf.",
                          field="format")
        if not covers(scope, level, code):
            raise Forbidden("export.outside_scope", "ส่งออกได้เฉพาะรายงานในพื้นที่ของท่าน",
                            "You can export only the reports of your own area.")
        job = self.jobs.create(KIND, claims.sub, (level, code), {"period": period, "format": fmt})
        self.wake()
        return job

    def visible(self, claims: Claims, job_id: str) -> ExportJob:
        job = self.jobs.get(job_id)
        scope = totals_scope(claims)
        if job is None or job.kind != KIND or not (
                job.owner_sub == claims.sub or (scope is not None and covers(scope, job.scope_level, job.scope_code))):
            raise NotFound("export.not_found", "ไม่พบงานส่งออกนี้", "No such export.")
        return job

    def mine(self, claims: Claims) -> list[ExportJob]:
        if totals_scope(claims) is None:
            raise Forbidden("access.forbidden", "ท่านไม่มีสิทธิ์ส่งออกรายงาน", "You may not export reports.")
        return [job for job in self.jobs.of_owner(claims.sub) if job.kind == KIND]

    def file(self, claims: Claims, job_id: str) -> tuple[ExportJob, Path]:
        job = self.visible(claims, job_id)
        path = self.jobs.path(job)
        if job.state != "done" or path is None or not path.exists():
            raise NotFound("export.not_ready", "ไฟล์ยังไม่พร้อมหรือหมดอายุแล้ว", "The file is not ready or has expired.")
        return job, path


def download_name(job: ExportJob) -> str:
    return f"report-{job.scope_level}-{job.scope_code}-{job.params.get('period')}.{job.params.get('format')}"


def report_runner(jobs: ExportJobs, source: Callable[[], FiguresSource | None],
                  today: Callable[[], date] = bangkok_today,
                  submitted: Callable[[], SubmittedFigures | None] = lambda: None,
                  ) -> Callable[[ExportJob, Progress], tuple[str, int]]:
    """Writes a job's report: the month's submitted version when there is one (``submitted()``: the monthly
    cycle's port, None if not wired), otherwise the live totals (``source()``: the TotalsView, None until it is
    there) as of today, each unit row saying whether that unit has submitted."""

    def live(job: ExportJob, progress: Progress, port: SubmittedFigures | None) -> ReportFigures:
        view = source()
        waited = 0.0
        while view is not None and not getattr(view, "ready", True) and waited < READY_WAIT_S:
            # A report from a view still reading the totals topic would be short: wait for it to catch up.
            if progress.stop.is_set():
                raise Interrupted
            time.sleep(0.5)
            waited += 0.5
        if view is None or not getattr(view, "ready", True):
            raise RuntimeError("the totals are not read yet")
        # The rows stay live; the port only tells each row whether its unit has submitted (report.py).
        return from_view(view, job.scope_level, job.scope_code, str(job.params["period"]), today(), port)

    def run(job: ExportJob, progress: Progress) -> tuple[str, int]:
        fmt, period = str(job.params["format"]), str(job.params["period"])
        port = submitted()
        snapshot = port.figures_for(job.scope_level, job.scope_code, period) if port is not None else None
        report = from_snapshot(snapshot) if snapshot is not None else live(job, progress, port)
        progress.total(1)
        part = jobs.part_path(job, f".{fmt}")
        if fmt == "pdf":
            part.write_bytes(report_pdf(report))
        else:
            write_report_xlsx(report, part)
        file_name = f"{job.id}.{fmt}"
        atomic_rename(part, jobs.directory / file_name)
        return file_name, 1

    return run
