"""The cycle's events on ``report-events`` (contracts: ReportSubmitted, ReportReturned, ReportOverdue v1)."""

from __future__ import annotations

from datetime import datetime

from contracts import codec
from reporting.monthly.periods import Period
from reporting.monthly.report import Report

TOPIC = "report-events"


def _about(unit_code: str, period: Period, report_id: str, level: str) -> dict[str, object]:
    return {"report_id": report_id, "level": level, "unit_code": unit_code, "province_code": unit_code[:2],
            "period": period.key, "fiscal_year": period.fiscal_year, "due_date": period.due_date(level).isoformat()}


def submitted(report: Report) -> codec.Event:
    latest = report.latest
    assert latest is not None
    return codec.new_event("ReportSubmitted", 1, **_about(report.unit_code, report.period, report.id, report.level),
                           report_version=latest.version, submitted_at=latest.submitted_at.isoformat(),
                           timeliness=latest.timeliness)


def returned(report: Report) -> codec.Event:
    sent_back = report.returns[-1]
    return codec.new_event("ReportReturned", 1, **_about(report.unit_code, report.period, report.id, report.level),
                           report_version=sent_back.version, returned_at=sent_back.returned_at.isoformat(),
                           reason=sent_back.reason)


def overdue(report: Report) -> codec.Event:
    return codec.new_event("ReportOverdue", 1, **_about(report.unit_code, report.period, report.id, report.level),
                           state=report.state)


def occurred(event: codec.Event) -> datetime:
    return datetime.fromisoformat(event["occurred_at"])
