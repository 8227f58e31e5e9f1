"""JSON API of the monthly cycle under ``/api/v1/reports`` (bearer tokens, the shared error shape). Thin: each
route parses, calls :class:`reporting.monthly.cycle.MonthlyCycle` and shapes the answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from contracts.api import error_responses
from contracts.claims import CurrentClaims
from contracts.errors import ApiError
from reporting.monthly.cycle import Board, MonthlyCycle, ReportView
from reporting.monthly.periods import Period, thai_date
from reporting.monthly.report import STATE_LABELS, TIMELINESS_LABELS, Refused, Report

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
PeriodKey = Annotated[str, Path(pattern=r"^2[0-9]{3}-(0[1-9]|1[0-2])$", description="เดือน YYYY-MM (ค.ศ.)",
                                examples=["2026-10"])]
UnitCode = Annotated[str, Path(pattern=r"^([0-9]{2}|[0-9]{4})$",
                               description="รหัสจังหวัด 2 หลัก หรือรหัสอำเภอ 4 หลัก / province or district code")]


def cycle_of(request: Request) -> MonthlyCycle:
    cycle: MonthlyCycle = request.app.state.monthly
    return cycle


def refusal(refused: Refused) -> ApiError:
    error = ApiError(refused.code, refused.th, refused.en, field=refused.field, extra=refused.extra)
    error.status = refused.status
    return error


class PeriodOut(BaseModel):
    period: str
    label_th: str
    label_en: str
    fiscal_year: int = Field(description="ปีงบประมาณ (พ.ศ.)")
    cut_off: datetime
    district_due: date
    district_due_th: str
    province_due: date
    province_due_th: str


def period_out(period: Period) -> PeriodOut:
    return PeriodOut(period=period.key, label_th=period.label_th, label_en=period.label_en,
                     fiscal_year=period.fiscal_year, cut_off=period.cut_off,
                     district_due=period.due_date("district"), district_due_th=thai_date(period.due_date("district")),
                     province_due=period.due_date("province"), province_due_th=thai_date(period.due_date("province")))


class SubmissionOut(BaseModel):
    version: int
    submitted_at: datetime
    timeliness: str
    timeliness_th: str
    figures: dict[str, int] = Field(description="ยอดสะสม ณ เวลาที่ส่ง (เงินเป็นสตางค์) / cumulative, frozen")
    activity: dict[str, int] = Field(description="ผลการดำเนินงานในเดือน / the month's activity, frozen")
    districts: dict[str, int] = Field(description="จังหวัด: ฉบับของแต่ละอำเภอที่รวมไว้ / province: district versions")


class ReturnOut(BaseModel):
    version: int
    returned_at: datetime
    reason: str


class DistrictLine(BaseModel):
    unit_code: str
    name_th: str
    name_en: str
    state: str
    state_th: str
    timeliness: str | None
    versions: int


class ReportOut(BaseModel):
    report_id: str
    level: str
    unit_code: str
    name_th: str
    name_en: str
    period: PeriodOut
    due_date: date
    state: str
    state_th: str
    state_en: str
    closed: bool = Field(description="สิ้นเดือนแล้ว ส่งได้ / the month is over, it may be submitted")
    may_submit: bool
    may_return: bool
    live_figures: dict[str, int] = Field(description="ยอดสะสมขณะนี้ / the live cumulative figures")
    live_activity: dict[str, int] = Field(description="ผลการดำเนินงานในเดือนขณะนี้ / the month's activity now")
    submissions: list[SubmissionOut] = Field(description="ทุกฉบับที่ส่ง เก่าสุดก่อน / every version, oldest first")
    returns: list[ReturnOut]
    districts: list[DistrictLine] = Field(default_factory=list, description="จังหวัด: สถานะของแต่ละอำเภอ")


def report_out(report: Report, view: ReportView | None, now: datetime) -> ReportOut:
    th, en = STATE_LABELS[report.state]
    return ReportOut(
        report_id=report.id, level=report.level, unit_code=report.unit_code,
        name_th=view.unit.name_th if view else "", name_en=view.unit.name_en if view else "",
        period=period_out(report.period), due_date=report.period.due_date(report.level),
        state=report.state, state_th=th, state_en=en, closed=report.period.closed(now),
        may_submit=view.may_submit if view else False, may_return=view.may_return if view else False,
        live_figures=dict(view.live_figures) if view else {}, live_activity=dict(view.live_activity) if view else {},
        submissions=[SubmissionOut(version=s.version, submitted_at=s.submitted_at, timeliness=s.timeliness,
                                   timeliness_th=TIMELINESS_LABELS[s.timeliness][0], figures=dict(s.figures),
                                   activity=dict(s.activity), districts=dict(s.districts))
                     for s in report.submissions],
        returns=[ReturnOut(version=r.version, returned_at=r.returned_at, reason=r.reason) for r in report.returns],
        districts=[DistrictLine(unit_code=u.code, name_th=u.name_th, name_en=u.name_en, state=r.state,
                                state_th=STATE_LABELS[r.state][0], timeliness=r.first_timeliness,
                                versions=len(r.submissions)) for u, r in (view.districts if view else ())],
    )


class ReturnIn(BaseModel):
    reason: str = Field(max_length=4000, description="เหตุผลที่ส่งคืน (ภาษาไทย, จำเป็น) / the reason, in Thai")


class BoardRowOut(BaseModel):
    unit_code: str
    name_th: str
    name_en: str
    state: str
    state_th: str
    timeliness: str | None
    timeliness_th: str | None
    submitted_at: datetime | None
    expected: int
    submitted: int
    on_time: int
    late: int
    returned: int
    reporting_rate: float | None
    on_time_rate: float | None


class BoardOut(BaseModel):
    period: PeriodOut
    level: str
    code: str
    expected: int = Field(description="จำนวนอำเภอที่ต้องส่ง / districts expected")
    submitted: int
    on_time: int
    late: int
    returned: int
    not_submitted: int
    reporting_rate: float = Field(description="ร้อยละที่ส่งแล้ว / % submitted")
    on_time_rate: float = Field(description="ร้อยละที่ส่งทันเวลา / % submitted on time (first submission)")
    provinces_submitted: int
    rows: list[BoardRowOut]


def board_out(board: Board) -> BoardOut:
    return BoardOut(
        period=period_out(board.period), level=board.level, code=board.code, expected=board.expected,
        submitted=board.submitted, on_time=board.on_time, late=board.late, returned=board.returned,
        not_submitted=board.expected - board.submitted, reporting_rate=board.reporting_rate,
        on_time_rate=board.on_time_rate, provinces_submitted=board.provinces_submitted,
        rows=[BoardRowOut(unit_code=r.unit.code, name_th=r.unit.name_th, name_en=r.unit.name_en, state=r.state,
                          state_th=STATE_LABELS[r.state][0], timeliness=r.timeliness,  # type: ignore[index]
                          timeliness_th=TIMELINESS_LABELS[r.timeliness][0] if r.timeliness else None,
                          submitted_at=r.submitted_at, expected=r.expected, submitted=r.submitted,
                          on_time=r.on_time, late=r.late, returned=r.returned, reporting_rate=r.reporting_rate,
                          on_time_rate=r.on_time_rate) for r in board.rows],
    )


@router.get("/periods", response_model=list[PeriodOut], responses=error_responses(403))
def periods(claims: CurrentClaims, request: Request,
            fiscal_year: Annotated[int | None, Query(ge=2560, le=2700, description="ปีงบประมาณ พ.ศ.")] = None
            ) -> list[PeriodOut]:
    """The twelve months of a fiscal year (default: the current one) with cut-off and due dates."""
    try:
        return [period_out(p) for p in cycle_of(request).periods(claims, fiscal_year)]
    except Refused as refused:
        raise refusal(refused) from None


@router.get("/completeness", response_model=BoardOut, responses=error_responses(403, 404))
def completeness(
    claims: CurrentClaims, request: Request,
    period: Annotated[str, Query(pattern=r"^2[0-9]{3}-(0[1-9]|1[0-2])$", description="เดือน YYYY-MM")],
    province: Annotated[str | None, Query(pattern=r"^[0-9]{2}$", description="DOPA: ดูรายอำเภอของจังหวัด")] = None,
    sort: Annotated[str, Query(max_length=20, description="code, name, state, rate, on_time, submitted_at; "
                                                          "'-' นำหน้าเพื่อเรียงจากมากไปน้อย")] = "code",
) -> BoardOut:
    """Who has and has not submitted the month, timeliness and reporting rate: DOPA by province (or one
    province's districts), a province officer their districts."""
    try:
        return board_out(cycle_of(request).board(claims, Period.parse(period), sort, province))
    except Refused as refused:
        raise refusal(refused) from None


@router.get("/{unit_code}/{period}", response_model=ReportOut, responses=error_responses(403, 404))
def read_report(claims: CurrentClaims, request: Request, unit_code: UnitCode, period: PeriodKey) -> ReportOut:
    """A unit's report for a month: its state, every submitted version (frozen), returns with reasons, the
    live figures it would freeze now and, for a province, its districts' states."""
    cycle = cycle_of(request)
    try:
        view = cycle.view(claims, unit_code, Period.parse(period))
    except Refused as refused:
        raise refusal(refused) from None
    return report_out(view.report, view, cycle.clock())


@router.post("/{unit_code}/{period}/submit", response_model=ReportOut, responses=error_responses(403, 404, 409))
def submit_report(claims: CurrentClaims, request: Request, unit_code: UnitCode, period: PeriodKey) -> ReportOut:
    """Freeze the month's figures as a new version (a province: once all its districts have submitted)."""
    cycle = cycle_of(request)
    try:
        cycle.submit(claims, unit_code, Period.parse(period))
        view = cycle.view(claims, unit_code, Period.parse(period))
    except Refused as refused:
        raise refusal(refused) from None
    return report_out(view.report, view, cycle.clock())


@router.post("/{unit_code}/{period}/return", response_model=ReportOut, responses=error_responses(403, 404, 409))
def return_report(claims: CurrentClaims, request: Request, unit_code: UnitCode, period: PeriodKey,
                  body: ReturnIn) -> ReportOut:
    """Send a submitted report back with a reason in Thai: a province officer a district's, DOPA a province's."""
    cycle = cycle_of(request)
    try:
        cycle.return_(claims, unit_code, Period.parse(period), body.reason)
        view = cycle.view(claims, unit_code, Period.parse(period))
    except Refused as refused:
        raise refusal(refused) from None
    return report_out(view.report, view, cycle.clock())
