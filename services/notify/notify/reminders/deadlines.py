"""Which reports fall due soon (pure). The rule is reporting's (``reporting.monthly.periods``): a district's
report for a month is due the 30th of the next month (February: its last day), a province's the 6th of the
month after that. Notify restates it rather than importing another service."""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

REMIND_DAYS_BEFORE = (3, 1)
_NAMESPACE = uuid.UUID("8f0d7c52-6a8b-4d38-9b0c-2c1f5e3a7d10")


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def due_date(period: str, level: str) -> date:
    year, month = (int(p) for p in period.split("-"))
    if level == "province":
        y, m = _add_months(year, month, 2)
        return date(y, m, 6)
    y, m = _add_months(year, month, 1)
    return date(y, m, min(30, calendar.monthrange(y, m)[1]))


@dataclass(frozen=True)
class Due:
    level: str
    period: str
    due: date
    days_left: int

    def reminder_id(self, unit_code: str) -> str:
        """A stable id per (unit, period, days left): the job may run any number of times a day and each
        reminder is still stored once (it is the "event id" of the message)."""
        return str(uuid.uuid5(_NAMESPACE, f"{self.level}:{unit_code}:{self.period}:{self.days_left}"))


def reminders_due(today: date) -> list[Due]:
    """The (level, period) pairs whose due date is 3 or 1 days after ``today`` (a Bangkok date)."""
    found = []
    for back in (1, 2, 3):
        y, m = _add_months(today.year, today.month, -back)
        period = f"{y:04d}-{m:02d}"
        for level in ("district", "province"):
            days_left = (due_date(period, level) - today).days
            if days_left in REMIND_DAYS_BEFORE:
                found.append(Due(level, period, due_date(period, level), days_left))
    return found


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
