"""Reporting periods: the months of the Thai fiscal year (1 Oct – 30 Sep), their cut-off and due dates. Pure.

A period is one calendar month, named ``YYYY-MM`` (Common Era, as stored) and shown with its Thai month and
Buddhist Era year (``ตุลาคม 2569``). October 2569 BE belongs to fiscal year 2570 BE.

Dates, as decided for issue #10 (docs/reporting.md): the figures are cut off at the end of the month's last
day (Asia/Bangkok). A district reports the month **by the 30th of the following month** (the letters' "every
30th"; in February, whose month has no 30th, by its last day), so October's district reports are due 30 Nov.
A province reviews its districts after that and sends its own report **by the 6th of the month after the
districts' due month**, so October's province report is due 6 Dec, six days after its districts'. Each
deadline is the end (23:59:59.999999) of that day in Bangkok.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543
THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
               "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
ENGLISH_MONTHS = tuple(calendar.month_name[1:])
DISTRICT_DUE_DAY = 30
PROVINCE_DUE_DAY = 6
_KEY = re.compile(r"^(2\d{3})-(0[1-9]|1[0-2])$")  # years 2000–2999: dates stay in range


class BadPeriod(ValueError):
    """Not a ``YYYY-MM`` month."""


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=BANGKOK)


def thai_date(day: date) -> str:
    """``30 พฤศจิกายน 2569``: Thai month, Buddhist Era year."""
    return f"{day.day} {THAI_MONTHS[day.month - 1]} {day.year + BE_OFFSET}"


@dataclass(frozen=True, order=True)
class Period:
    year: int  # Common Era
    month: int

    @classmethod
    def parse(cls, key: str) -> Period:
        found = _KEY.match(key)
        if found is None:
            raise BadPeriod(key)
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def containing(cls, moment: datetime) -> Period:
        local = moment.astimezone(BANGKOK)
        return cls(local.year, local.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def fiscal_year(self) -> int:
        """Buddhist Era fiscal year: October–December count towards the next year."""
        return self.year + BE_OFFSET + (1 if self.month >= 10 else 0)

    @property
    def label_th(self) -> str:
        return f"{THAI_MONTHS[self.month - 1]} {self.year + BE_OFFSET}"

    @property
    def label_en(self) -> str:
        return f"{ENGLISH_MONTHS[self.month - 1]} {self.year}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def days(self) -> list[str]:
        """Every day of the month, ``YYYY-MM-DD`` (the daily series' keys)."""
        first = self.first_day
        return [(first + timedelta(days=n)).isoformat() for n in range(self.last_day.day)]

    @property
    def cut_off(self) -> datetime:
        """The figures are taken as of the end of the month's last day in Bangkok."""
        return _end_of(self.last_day)

    def closed(self, now: datetime) -> bool:
        """The month is over, so it may be submitted."""
        return now > self.cut_off

    def following(self, months: int = 1) -> Period:
        return Period(*_add_months(self.year, self.month, months))

    def due_date(self, level: str) -> date:
        """District: the 30th of the next month (February: its last day); province: the 6th of the one after."""
        if level == "province":
            after = self.following(2)
            return date(after.year, after.month, PROVINCE_DUE_DAY)
        nxt = self.following(1)
        return date(nxt.year, nxt.month, min(DISTRICT_DUE_DAY, nxt.last_day.day))

    def deadline(self, level: str) -> datetime:
        return _end_of(self.due_date(level))


def fiscal_year_periods(fiscal_year: int) -> list[Period]:
    """The twelve months of a Buddhist Era fiscal year, October first."""
    start = Period(fiscal_year - BE_OFFSET - 1, 10)
    return [start.following(n) for n in range(12)]


def timeliness(submitted_at: datetime, period: Period, level: str) -> str:
    """``on_time`` when submitted by the end of the due day in Bangkok, otherwise ``late``."""
    return "on_time" if submitted_at <= period.deadline(level) else "late"
