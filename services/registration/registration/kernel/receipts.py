"""Receipt numbers a debtor can read over the phone: province, Buddhist Era year, running number."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from registration.kernel.thai import BE_OFFSET, TO_ASCII_DIGITS

# The receipt year is the Thai calendar year: a registration at 00:30 on 1 January in Bangkok
# belongs to the new year although UTC still says 31 December.
THAI_TIME = timezone(timedelta(hours=7), "Asia/Bangkok")
_RECEIPT = re.compile(r"([0-9]{2})([0-9]{4})([0-9]{6,})")


def be_year(day: date) -> int:
    return day.year + BE_OFFSET


def thai_date(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(THAI_TIME).date()


def receipt_number(province_code: str, year_be: int, running: int) -> str:
    """e.g. ``47-2569-000123``: short groups, digits only, unambiguous when spoken."""
    return f"{province_code}-{year_be}-{running:06d}"


def parse_receipt(raw: str) -> str | None:
    """The canonical receipt number from what someone typed or heard (Thai digits, spaces, dashes), or None."""
    digits = re.sub(r"[\s\-\u2010-\u2014]", "", raw.translate(TO_ASCII_DIGITS))
    match = _RECEIPT.fullmatch(digits)
    if match is None or len(digits) > 20:
        return None
    province, year, running = match.groups()
    return receipt_number(province, int(year), int(running))


def receipt_counter_key(province_code: str, year_be: int) -> str:
    return f"receipt:{province_code}:{year_be}"
