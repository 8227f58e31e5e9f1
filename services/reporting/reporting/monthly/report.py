"""A unit's monthly report and its life: states as a transition table, frozen submissions, returns. Pure.

Modelled on DHIS2's data approval: each level approves (here: *submits*) its own unit's data for a period
once the level below is done; the level above may send it back (*return*, with a reason), which reopens it;
a higher level's approval locks the lower levels' (a district's report cannot be returned once its province
has submitted: the province's own report must be returned first, by DOPA).

A submission is a frozen snapshot: the figures as they stood when it was made. Resubmission after a return
adds a new version; every version and every return is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from reporting.monthly.periods import Period, timeliness

Level = Literal["district", "province"]
State = Literal["not_submitted", "submitted", "returned"]
Action = Literal["submit", "return"]

# (state, action) -> next state. Anything not listed is refused.
TRANSITIONS: Mapping[tuple[State, Action], State] = {
    ("not_submitted", "submit"): "submitted",
    ("returned", "submit"): "submitted",
    ("submitted", "return"): "returned",
}
STATE_LABELS: Mapping[State, tuple[str, str]] = {
    "not_submitted": ("ยังไม่ส่ง", "Not submitted"),
    "submitted": ("ส่งแล้ว", "Submitted"),
    "returned": ("ส่งคืนให้แก้ไข", "Returned for correction"),
}
TIMELINESS_LABELS: Mapping[str, tuple[str, str]] = {
    "on_time": ("ทันเวลา", "On time"),
    "late": ("ล่าช้า", "Late"),
}
MAX_REASON = 1000
_THAI = re.compile(r"[\u0E01-\u0E5B]")


class Refused(Exception):
    """The cycle's rules do not allow this; safe to show. ``status`` is the HTTP status it maps to."""

    def __init__(self, code: str, th: str, en: str, *, status: int = 409, field: str | None = None,
                 extra: Mapping[str, object] | None = None) -> None:
        super().__init__(code)
        self.code, self.th, self.en, self.status, self.field = code, th, en, status, field
        self.extra = dict(extra or {})


def level_of(unit_code: str) -> Level:
    if len(unit_code) == 4:
        return "district"
    if len(unit_code) == 2:
        return "province"
    raise Refused("report.unit", "รหัสหน่วยต้องเป็นรหัสจังหวัด 2 หลัก หรือรหัสอำเภอ 4 หลัก",
                  "A unit is a 2-digit province or a 4-digit district code.", status=404)


def report_id(unit_code: str, period: Period) -> str:
    return f"{level_of(unit_code)}:{unit_code}:{period.key}"


@dataclass(frozen=True)
class Submission:
    """One version: what was submitted, frozen."""

    version: int
    submitted_at: datetime
    submitted_by: str  # the officer's subject id (who, for the history; events name no one)
    timeliness: str
    figures: Mapping[str, int]  # cumulative figures at submission
    activity: Mapping[str, int]  # the month's daily series, summed over its days
    districts: Mapping[str, int] = field(default_factory=dict)  # province: district code -> version included


@dataclass(frozen=True)
class Return:
    version: int  # the version sent back
    returned_at: datetime
    returned_by: str
    reason: str


@dataclass(frozen=True)
class Report:
    unit_code: str
    period: Period
    state: State = "not_submitted"
    submissions: tuple[Submission, ...] = ()
    returns: tuple[Return, ...] = ()
    revision: int = 0  # grows with every change; the store refuses a stale write

    @property
    def level(self) -> Level:
        return level_of(self.unit_code)

    @property
    def id(self) -> str:
        return report_id(self.unit_code, self.period)

    @property
    def province_code(self) -> str:
        return self.unit_code[:2]

    @property
    def latest(self) -> Submission | None:
        return self.submissions[-1] if self.submissions else None

    @property
    def first_timeliness(self) -> str | None:
        """The board's timeliness: whether the unit met the deadline with its first submission (a return is the
        reviewer's decision, so resubmitting after the deadline does not make an on-time unit late)."""
        return self.submissions[0].timeliness if self.submissions else None


def _next(report: Report, action: Action) -> State:
    nxt = TRANSITIONS.get((report.state, action))
    if nxt is None:
        th, en = STATE_LABELS[report.state]
        if action == "submit":
            raise Refused("report.already_submitted", "รายงานนี้ส่งแล้ว", "This report has already been submitted.")
        raise Refused("report.not_submitted", f"ส่งคืนได้เฉพาะรายงานที่ส่งแล้ว (สถานะปัจจุบัน: {th})",
                      f"Only a submitted report can be returned (it is: {en}).")
    return nxt


def submit(report: Report, *, now: datetime, by: str, figures: Mapping[str, int], activity: Mapping[str, int],
           district_states: Mapping[str, Report] | None = None, expected_districts: tuple[str, ...] = ()) -> Report:
    """A new frozen version. A month can be submitted once it is over; a province only when every one of its
    districts has a submitted report (DHIS2: a level approves once all levels below it have)."""
    if not report.period.closed(now):
        raise Refused("report.period_open",
                      f"ยังส่งรายงานเดือน{report.period.label_th}ไม่ได้ จนกว่าจะสิ้นเดือน",
                      f"{report.period.label_en} can be submitted once the month is over.")
    state = _next(report, "submit")
    included: dict[str, int] = {}
    if report.level == "province":
        states = district_states or {}
        pending = [code for code in expected_districts
                   if code not in states or states[code].state != "submitted"]
        if pending:
            raise Refused("report.districts_pending",
                          f"ยังมีอำเภอที่ยังไม่ส่งรายงาน {len(pending)} อำเภอ จังหวัดส่งรายงานได้เมื่อทุกอำเภอส่งแล้ว",
                          f"{len(pending)} district(s) have not submitted; the province submits once all have.",
                          extra={"pending": pending})
        included = {code: len(states[code].submissions) for code in expected_districts}
    version = Submission(
        version=len(report.submissions) + 1, submitted_at=now, submitted_by=by,
        timeliness=timeliness(now, report.period, report.level), figures=dict(figures), activity=dict(activity),
        districts=included,
    )
    return replace(report, state=state, submissions=(*report.submissions, version), revision=report.revision + 1)


def check_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise Refused("reason.required", "กรุณาระบุเหตุผลที่ส่งคืน", "Please give the reason for returning it.",
                      status=422, field="reason")
    if len(text) > MAX_REASON:
        raise Refused("reason.too_long", f"เหตุผลยาวเกินไป (ไม่เกิน {MAX_REASON} ตัวอักษร)",
                      f"The reason is too long (at most {MAX_REASON} characters).", status=422, field="reason")
    if not _THAI.search(text):
        raise Refused("reason.thai", "กรุณาระบุเหตุผลเป็นภาษาไทย", "Please give the reason in Thai.",
                      status=422, field="reason")
    return text


def return_report(report: Report, *, now: datetime, by: str, reason: str, locked_by_province: bool = False) -> Report:
    """Send a submitted report back with a reason (Thai, required). A district's report is locked once its
    province has submitted: the province's report has to be returned first."""
    text = check_reason(reason)
    if locked_by_province:
        raise Refused("report.locked", "จังหวัดส่งรายงานแล้ว ต้องส่งคืนรายงานของจังหวัดก่อนจึงจะส่งคืนรายงานของอำเภอได้",
                      "The province has submitted; its report must be returned before a district's can be.")
    state = _next(report, "return")
    latest = report.latest
    assert latest is not None  # a submitted report has a version
    sent_back = Return(version=latest.version, returned_at=now, returned_by=by, reason=text)
    return replace(report, state=state, returns=(*report.returns, sent_back), revision=report.revision + 1)


def overdue(report: Report | None, now: datetime, period: Period, level: Level) -> bool:
    """Past its deadline without a standing submission (never submitted, or returned and not yet resubmitted)."""
    return now > period.deadline(level) and (report is None or report.state != "submitted")
