"""A monthly report as plain data (pure: no I/O), and how to read one from the live totals.

:class:`ReportFigures` is what the .xlsx and PDF writers take: a unit (nation, province or district), the month,
its standing figures (``totals.figures.FIGURES``), its activity in the month (the sums of ``DAILY`` over the
month's days), and one row per unit below it (provinces of the nation, districts of a province).

Where the figures come from: a month that has been submitted is printed exactly as submitted
(:func:`from_snapshot`, the frozen version the monthly cycle keeps, with its version and submission time); a month
nobody has submitted is printed from the live totals as they stand now (:func:`from_view`), and says so
(``submitted`` is None). The writers print :func:`provenance_th` on every report.

A live report's unit rows stay live even where the unit has submitted (the total must be the sum of the rows
printed, one reading of the live totals); such a row names the version submitted and when (:func:`submitted_th`).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Protocol

import geothai

from reporting.snapshots import Snapshot, SubmittedFigures
from reporting.totals.figures import BANGKOK, DAILY, FIGURES

MONTHS_TH = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
             "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
LEVELS = ("nation", "province", "district")
CHILD_LEVEL = {"nation": "province", "province": "district"}
# The columns of a per-unit table in the PDF (a page is not wide enough for all figures; the .xlsx has all).
KEY_FIGURES = ("registrants", "outstanding_satang", "mediation_entered", "mediation_succeeded",
               "debt_reduced_satang", "closed")


class FiguresSource(Protocol):
    """What the report reads: ``reporting.totals.view.TotalsView`` (the nation's code is "")."""

    def figures(self, level: str, code: str, day: str | None = None) -> dict[str, int]: ...

    def days(self, level: str, code: str) -> list[str]: ...

    def units(self, level: str, parent: str = "") -> list[str]: ...


@dataclass(frozen=True)
class Submitted:
    """The submission a report prints: its version (None for the nation, summed from every province's standing
    version) and when it was submitted (the nation's: when its last province submitted)."""

    version: int | None
    at: datetime


@dataclass(frozen=True)
class UnitFigures:
    code: str
    name: str
    figures: Mapping[str, int]
    activity: Mapping[str, int] = field(default_factory=dict)
    submitted: Submitted | None = None  # None: live figures
    # A live row's unit's own standing submission for the month (its figures are not the ones printed);
    # ``standing_checked`` False: nobody asked (no snapshot port), so the row cannot say it was not submitted.
    standing: Submitted | None = None
    standing_checked: bool = False


@dataclass(frozen=True)
class ReportFigures:
    level: str  # nation, province, district
    code: str  # TH, a 2-digit province, a 4-digit district
    name: str  # ประเทศไทย, จังหวัดสกลนคร, อำเภอเมืองสกลนคร
    period: str  # YYYY-MM
    as_of: date  # the day the figures stand at
    figures: Mapping[str, int]
    activity: Mapping[str, int]
    children: tuple[UnitFigures, ...] = ()
    submitted: Submitted | None = None  # None: the live figures as of ``as_of`` (the month is not submitted)

    @property
    def period_th(self) -> str:
        year, month = (int(p) for p in self.period.split("-"))
        return f"{MONTHS_TH[month - 1]} พ.ศ. {year + 543}"

    @property
    def child_level(self) -> str | None:
        return CHILD_LEVEL.get(self.level)


def be_date(day: date) -> str:
    """``1 ธันวาคม 2569``: the Buddhist Era, as official documents write dates."""
    return f"{day.day} {MONTHS_TH[day.month - 1]} {day.year + 543}"


def be_time(moment: datetime) -> str:
    """``3 ธันวาคม 2569 เวลา 10:15 น.``, Bangkok time."""
    local = moment.astimezone(BANGKOK)
    return f"{be_date(local.date())} เวลา {local:%H:%M} น."


def provenance_th(report: ReportFigures) -> str:
    """One line saying where the figures come from: the submitted version, or live and not submitted."""
    done = report.submitted
    if done is None:
        who = "ยังส่งรายงานไม่ครบทุกจังหวัด" if report.level == "nation" else "ยังไม่ได้ส่งรายงานเดือนนี้"
        return f"{who}: ตัวเลข ณ ปัจจุบัน ({be_date(report.as_of)}) ยังเปลี่ยนแปลงได้ ไม่ใช่ตัวเลขที่ส่งแล้ว"
    if done.version is None:
        return f"ตัวเลขที่ส่งแล้ว: รวมจากรายงานที่ทุกจังหวัดส่งแล้ว (ครบเมื่อ {be_time(done.at)})"
    return f"ตัวเลขที่ส่งแล้ว: ฉบับที่ {done.version} ส่งเมื่อ {be_time(done.at)}"


def submitted_th(unit: UnitFigures) -> str:
    """A unit row's source in a few words: ``ฉบับที่ 2 ส่งเมื่อ …``, or live: ``ตัวเลขปัจจุบัน``, with whether the
    unit has submitted its own report (``(ส่งแล้ว ฉบับที่ 2 เมื่อ …)`` / ``(ยังไม่ได้ส่ง)``) when that is known."""
    if unit.submitted is not None:
        return f"ฉบับที่ {unit.submitted.version} ส่งเมื่อ {be_time(unit.submitted.at)}"
    if unit.standing is not None:
        return f"ตัวเลขปัจจุบัน ({standing_th(unit.standing)} เมื่อ {be_time(unit.standing.at)})"
    return "ตัวเลขปัจจุบัน (ยังไม่ได้ส่ง)" if unit.standing_checked else "ตัวเลขปัจจุบัน"


def standing_th(standing: Submitted) -> str:
    """``ส่งแล้ว ฉบับที่ 2``: a live row's note that its unit has submitted that version."""
    return f"ส่งแล้ว ฉบับที่ {standing.version}"


def baht(satang: int) -> str:
    """Satang as baht with satang, never through a float."""
    sign = "-" if satang < 0 else ""
    whole, part = divmod(abs(satang), 100)
    return f"{sign}{whole:,}.{part:02d}"


def shown(name: str, value: int) -> str:
    label = FIGURES.get(name) or DAILY.get(name)
    return baht(value) if label is not None and label.satang else f"{value:,}"


@cache
def _names() -> dict[str, str]:
    found: dict[str, str] = {}
    for p in geothai.provinces():
        found[p.code] = p.name_th
        for d in geothai.districts(p.code):
            found[d.code] = d.name_th
    return found


def unit_name(level: str, code: str) -> str:
    if level == "nation":
        return "ประเทศไทย"
    name = _names().get(code, code)
    return f"จังหวัด{name}" if level == "province" else f"อำเภอ{name}"


def short_name(code: str) -> str:
    return _names().get(code, code)


def month_days(period: str) -> tuple[str, str]:
    """The first and last day of ``YYYY-MM`` as ISO dates."""
    year, month = (int(p) for p in period.split("-"))
    return f"{period}-01", f"{period}-{calendar.monthrange(year, month)[1]:02d}"


def valid_period(period: str) -> bool:
    try:
        year, month = (int(p) for p in period.split("-"))
    except ValueError:
        return False
    return len(period) == 7 and 2020 <= year <= 2100 and 1 <= month <= 12


def _activity(source: FiguresSource, level: str, code: str, period: str) -> dict[str, int]:
    first, last = month_days(period)
    total: dict[str, int] = {}
    for day in source.days(level, code):
        if first <= day <= last:
            for name, value in source.figures(level, code, day).items():
                total[name] = total.get(name, 0) + value
    return total


def _standing(submitted: SubmittedFigures | None, level: str, code: str, period: str) -> Submitted | None:
    snapshot = None if submitted is None else submitted.figures_for(level, code, period)
    return None if snapshot is None else Submitted(snapshot.version, snapshot.submitted_at)


def from_view(source: FiguresSource, level: str, code: str, period: str, as_of: date,
              submitted: SubmittedFigures | None = None) -> ReportFigures:
    """The report of one unit for one month from the live totals (``code`` "TH" for the nation). ``submitted``:
    to say on each live unit row whether that unit has submitted its own report (the row stays live)."""
    view_code = "" if level == "nation" else code
    child = CHILD_LEVEL.get(level)
    children = () if child is None else tuple(
        UnitFigures(c, short_name(c), source.figures(child, c), _activity(source, child, c, period),
                    standing=_standing(submitted, child, c, period), standing_checked=submitted is not None)
        for c in source.units(child, view_code)
    )
    return ReportFigures(level, code, unit_name(level, code), period, as_of, source.figures(level, view_code),
                         _activity(source, level, view_code, period), children)


def from_snapshot(snapshot: Snapshot) -> ReportFigures:
    """The report of a submitted month, exactly as submitted: its figures, its activity, the units below at the
    versions it includes; dated on the day it was submitted."""
    children = tuple(
        UnitFigures(c.code, short_name(c.code), dict(c.figures), dict(c.activity), Submitted(c.version, c.submitted_at))
        for c in snapshot.children)
    return ReportFigures(snapshot.level, snapshot.code, unit_name(snapshot.level, snapshot.code), snapshot.period,
                         snapshot.submitted_at.astimezone(BANGKOK).date(), dict(snapshot.figures),
                         dict(snapshot.activity), children, Submitted(snapshot.version, snapshot.submitted_at))
