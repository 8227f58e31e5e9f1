"""Staff pages of the monthly cycle under ``/reports/monthly``: a report to review and submit (a province's
with its districts, each returnable with a reason) and the completeness board. Thin, like the API: every
decision is the cycle's (``MonthlyCycle``), every refusal a bilingual page."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from contracts.access import monthly_board_scope, worklist_scope
from contracts.claims import Claims
from reporting.monthly.cycle import SORTS, MonthlyCycle
from reporting.monthly.periods import BANGKOK, BadPeriod, Period
from reporting.monthly.report import STATE_LABELS, TIMELINESS_LABELS, Refused
from reporting.totals.figures import DAILY, FIGURES
from reporting.web import PREFIX, PageProblem, csrf_form, render, staff, web
from reporting.web import format as fmt

BASE = f"{PREFIX}/monthly"
router = APIRouter(prefix=BASE, include_in_schema=False)
Staff = Annotated[Claims, Depends(staff)]
Form = Annotated[FormData, Depends(csrf_form)]
_UNIT = re.compile(r"^([0-9]{2}|[0-9]{4})$")


def _cycle(request: Request) -> MonthlyCycle:
    cycle: MonthlyCycle = request.app.state.monthly
    return cycle


def _period(key: str | None, cycle: MonthlyCycle) -> Period:
    if not key:
        return Period.containing(cycle.clock()).following(-1)  # the last month that is over
    try:
        return Period.parse(key)
    except BadPeriod:
        raise PageProblem(404, "ไม่พบรอบรายงานนี้ (ใช้รูปแบบ ปปปป-ดด)", "No such period (use YYYY-MM).") from None


def _problem(refused: Refused) -> PageProblem:
    return PageProblem(refused.status, refused.th, refused.en)


def report_path(unit_code: str, period: Period) -> str:
    return f"{BASE}/{unit_code}/{period.key}"


@router.get("")
def my_monthly(request: Request, claims: Staff) -> Response:
    """A district officer's own report of last month; province officers and DOPA: their board."""
    cycle = _cycle(request)
    period = _period(None, cycle)
    scope = worklist_scope(claims)
    if scope is None:
        raise PageProblem(403, "ท่านไม่มีส่วนในการรายงานผลประจำเดือน", "You take no part in the monthly reports.")
    if scope[0] == "district":
        return RedirectResponse(report_path(scope[1], period), status_code=303)
    return RedirectResponse(f"{BASE}/board?period={period.key}", status_code=303)


def _labels(lang: str) -> dict[str, Any]:
    def pick(th: str, en: str) -> str:
        return en if lang == "en" else th

    return {"figures": [(name, pick(label.th, label.en), label.satang) for name, label in FIGURES.items()],
            "daily": [(name, pick(label.th, label.en), label.satang) for name, label in DAILY.items()],
            "states": {k: pick(*v) for k, v in STATE_LABELS.items()},
            "timeliness": {k: pick(*v) for k, v in TIMELINESS_LABELS.items()},
            "stamp": lambda moment: stamp(moment, lang),
            "period_label": lambda period: period.label_en if lang == "en" else period.label_th}


def _report_page(request: Request, claims: Claims, unit_code: str, period: Period, *, problem: Refused | None = None,
                 reason: str = "", reason_for: str = "") -> Response:
    cycle = _cycle(request)
    if not _UNIT.match(unit_code):
        raise PageProblem(404, "ไม่พบหน่วยนี้", "No such unit.")
    try:
        view = cycle.view(claims, unit_code, period)
    except Refused as refused:
        raise _problem(refused) from None
    lang = web(request).lang(request)
    now = cycle.clock()
    return render(request, "monthly_report.html", {
        "view": view, "report": view.report, "period": period, "now": now,
        "due": fmt.be_date(period.due_date(view.report.level), lang),
        "closed": period.closed(now), "previous": period.following(-1), "next": period.following(1),
        "report_path": report_path, "board_allowed": monthly_board_scope(claims) is not None, "BASE": BASE,
        "problem": problem, "reason": reason, "reason_for": reason_for, "done": request.query_params.get("done"),
        **_labels(lang),
    }, status_code=problem.status if problem else 200)


def _unit_name(cycle: MonthlyCycle, code: str, lang: str) -> str:
    unit = cycle.areas.unit(code)
    return "" if unit is None else (f" {unit.name_en}" if lang == "en" else unit.name_th)


@router.get("/board")
def board_page(request: Request, claims: Staff,
               period: Annotated[str | None, Query(max_length=7)] = None,
               province: Annotated[str | None, Query(max_length=2, pattern=r"^[0-9]{2}$")] = None,
               sort: Annotated[str, Query(max_length=20)] = "code") -> Response:
    """Who has and has not submitted the month, timeliness and reporting rate; sortable by any column."""
    cycle = _cycle(request)
    chosen = _period(period, cycle)
    try:
        board = cycle.board(claims, chosen, sort if sort.removeprefix("-") in SORTS else "code", province)
    except Refused as refused:
        raise _problem(refused) from None
    lang = web(request).lang(request)
    return render(request, "monthly_board.html", {
        "board": board, "period": chosen, "sort": sort, "province": province, "BASE": BASE,
        "previous": chosen.following(-1), "next": chosen.following(1), "report_path": report_path,
        "nation_scope": monthly_board_scope(claims) == ("nation", "TH"), **_labels(lang),
        "province_name": _unit_name(cycle, board.code, lang) if board.level == "province" else "",
    })


@router.get("/{unit_code}/{period}")
def report_page(request: Request, claims: Staff, unit_code: str, period: str) -> Response:
    return _report_page(request, claims, unit_code, _period(period, _cycle(request)))


@router.post("/{unit_code}/{period}/submit")
def submit_page(request: Request, claims: Staff, form: Form, unit_code: str, period: str) -> Response:
    chosen = _period(period, _cycle(request))
    try:
        _cycle(request).submit(claims, unit_code, chosen)
    except Refused as refused:
        if refused.status in (403, 404):
            raise _problem(refused) from None
        return _report_page(request, claims, unit_code, chosen, problem=refused)
    return RedirectResponse(report_path(unit_code, chosen) + "?done=submitted", status_code=303)


@router.post("/{unit_code}/{period}/return")
def return_page(request: Request, claims: Staff, form: Form, unit_code: str, period: str) -> Response:
    """Returns ``unit_code``'s report; the form is on the reviewer's page (``back``: the province's report)."""
    chosen = _period(period, _cycle(request))
    reason = str(form.get("reason") or "")[:4000]
    back = str(form.get("back") or "")
    back_unit = back if _UNIT.match(back) else unit_code
    try:
        _cycle(request).return_(claims, unit_code, chosen, reason)
    except Refused as refused:
        if refused.status in (403, 404):
            raise _problem(refused) from None
        return _report_page(request, claims, back_unit, chosen, problem=refused, reason=reason, reason_for=unit_code)
    return RedirectResponse(report_path(back_unit, chosen) + "?done=returned", status_code=303)


def stamp(moment: datetime | None, lang: str) -> str:
    """``30 พ.ย. 2569 10:15 น.`` in Bangkok time (``30 Nov 2026 10:15`` in English)."""
    if moment is None:
        return "–"
    local = moment.astimezone(BANGKOK)
    day = fmt.be_date(local.date(), lang, short=True)
    return f"{day} {local:%H:%M}" + ("" if lang == "en" else " น.")
