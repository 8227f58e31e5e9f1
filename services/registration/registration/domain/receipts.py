"""Receipt numbers a debtor can read over the phone: province, Buddhist Era year, running number."""

from __future__ import annotations

from datetime import date

BE_OFFSET = 543


def be_year(day: date) -> int:
    return day.year + BE_OFFSET


def receipt_number(province_code: str, year_be: int, running: int) -> str:
    """e.g. ``47-2569-000123``: short groups, digits only, unambiguous when spoken."""
    return f"{province_code}-{year_be}-{running:06d}"


def receipt_counter_key(province_code: str, year_be: int) -> str:
    return f"receipt:{province_code}:{year_be}"
