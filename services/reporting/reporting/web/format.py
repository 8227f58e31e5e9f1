"""How figures read on the pages: counts with separators, satang as baht, Buddhist Era dates. Pure."""

from __future__ import annotations

from datetime import date

MONTHS_TH = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
             "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
MONTHS_TH_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def number(value: int) -> str:
    return f"{value:,}"


def baht(satang: int) -> str:
    """1234567 satang → ``12,345.67``: always with satang, never through a float."""
    sign = "-" if satang < 0 else ""
    whole, part = divmod(abs(satang), 100)
    return f"{sign}{whole:,}.{part:02d}"


def be_date(day: str | date, lang: str = "th", *, short: bool = False) -> str:
    """``2026-12-01`` → ``1 ธันวาคม 2569`` (Buddhist Era) in Thai, ``1 December 2026`` in English."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    if lang == "en":
        return f"{d.day} {MONTHS_EN[d.month - 1][:3] if short else MONTHS_EN[d.month - 1]} {d.year}"
    months = MONTHS_TH_SHORT if short else MONTHS_TH
    return f"{d.day} {months[d.month - 1]} {d.year + 543}"


def percent(part: int, whole: int) -> str:
    """One decimal, ``–`` when there is nothing to divide by."""
    return f"{part * 100 / whole:.1f}%" if whole else "–"
