"""Dates as Thai readers expect them: Buddhist Era years (พ.ศ. = ค.ศ. + 543), Thai month names and
Thailand's time (UTC+7). Every page identity shows uses these; the JSON API keeps ISO 8601."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

THAILAND = timezone(timedelta(hours=7), "Asia/Bangkok")
BE_OFFSET = 543
MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
          "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")


def be_year(day: date) -> int:
    return day.year + BE_OFFSET


def thai_date(day: date) -> str:
    """``5 มีนาคม 2568`` (a datetime is first put in Thailand's time)."""
    if isinstance(day, datetime):
        day = _in_thailand(day)
    return f"{day.day} {MONTHS[day.month - 1]} {be_year(day)}"


def thai_datetime(value: datetime | str | None, seconds: bool = True) -> str:
    """``5 มีนาคม 2568 เวลา 14:03:07 น.`` in Thailand's time; an ISO string is parsed first. A value that
    is not a date-time is shown as it is (never an error on a page)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    local = _in_thailand(moment)
    clock = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{thai_date(local.date())} เวลา {clock} น."


def _in_thailand(moment: datetime) -> datetime:
    # A time without a zone is taken as UTC, as the audit log stores it.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(THAILAND)
