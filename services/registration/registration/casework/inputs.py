"""What officers type for casework, checked and normalised once for the API and the pages: codes from the
vocabulary, dates (Buddhist Era or CE, Thai digits), amounts in baht text or satang, short texts.

Every problem of a submission is collected (``Fields.errors``) so a form shows them all together.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TypeVar

from registration.kernel import admin_areas
from registration.kernel.interest import parse_rate_bp
from registration.kernel.money import parse_satang
from registration.kernel.receipts import THAI_TIME
from registration.kernel.text import normalise_text
from registration.kernel.thai import BE_OFFSET, TO_ASCII_DIGITS, FieldError, parse_past_date

T = TypeVar("T")

NOTE_MAX = 500  # a note on a contact, referral, closure …: a few sentences, not a report
SHORT_MAX = 200  # a place, a mediator's name, a transfer's reason
TERMS_MAX = 1000  # the agreed terms of a settlement
LETTER_NO_MAX = 64  # the contract's limit for an outgoing letter number
OFFICER_SUB_MAX = 128  # a token subject, as the audit trail caps it
SCHEDULE_AHEAD_DAYS = 366  # a session a year or more ahead is a typo in the year

# A date and a time are both needed; datetime.fromisoformat reads the rest (seconds, a UTC offset).
_DATETIME = re.compile(r"(?P<y>[0-9]{4})-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}")
_BE_THRESHOLD = 2400

MESSAGES: dict[str, tuple[str, str]] = {
    "field.required": ("กรุณากรอกข้อมูลนี้", "This field is required."),
    "field.choice": ("กรุณาเลือกจากรายการที่กำหนด", "Please choose one of the listed options."),
    "datetime.format": ("วันเวลาไม่ถูกต้อง กรุณากรอกเป็น ปปปป-ดด-วว ชช:นน", "Invalid date and time. Use YYYY-MM-DD HH:MM."),
    "datetime.too_far": ("วันนัดต้องอยู่ภายใน 1 ปีนับจากวันนี้ กรุณาตรวจสอบปี",
                         "The session must be within a year from today. Check the year."),
    "datetime.before_registration": ("วันนัดต้องไม่ก่อนวันที่ลงทะเบียน", "The session cannot be before the registration."),
    "date.before_registration": ("วันที่ต้องไม่ก่อนวันที่ลงทะเบียน", "The date cannot be before the registration."),
    "district.unknown": ("ไม่พบรหัสอำเภอนี้", "No district has this code."),
    "district.same": ("เรื่องนี้อยู่ในความรับผิดชอบของอำเภอนี้อยู่แล้ว", "The case already belongs to this district."),
    "officer.format": ("รหัสเจ้าหน้าที่ไม่ถูกต้อง", "Invalid officer identifier."),
}


def problem(field: str, code: str) -> FieldError:
    th, en = MESSAGES[code]
    return FieldError(code, th, en, field)


def too_long(field: str, limit: int) -> FieldError:
    return FieldError("text.too_long", f"ข้อความยาวเกินไป (ไม่เกิน {limit:,} ตัวอักษร)",
                      f"The text is too long (at most {limit:,} characters).", field)


def _with_field(error: FieldError, field: str) -> FieldError:
    return error.with_field(field)


class Fields:
    """Checks one submission field by field; each method returns a usable default when the value is bad."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, error: FieldError) -> None:
        self.errors.append(error)

    def _parsed(self, field: str, parse: Callable[[], T], default: T) -> T:
        try:
            return parse()
        except FieldError as error:
            self.errors.append(_with_field(error, field))
            return default

    def choice(self, field: str, raw: str | None, allowed: Mapping[str, object] | tuple[str, ...]) -> str:
        if raw is None or raw == "":
            self.add(problem(field, "field.required"))
        elif raw not in allowed:
            self.add(problem(field, "field.choice"))
        return raw or ""

    def text(self, field: str, raw: str | None, limit: int, *, required: bool = False) -> str | None:
        """Normalised text (``kernel.text``), or None when empty; refused when longer than ``limit``."""
        value = self._parsed(field, lambda: normalise_text(raw or ""), "")
        if not value:
            if required and not any(e.field == field for e in self.errors):
                self.add(problem(field, "field.required"))
            return None
        if len(value) > limit:
            self.add(too_long(field, limit))
        return value

    def past_date(self, field: str, raw: str | date | None, today: date, earliest: date) -> date:
        """A day that is neither in the future (Asia/Bangkok) nor before ``earliest`` (the registration)."""
        if raw is None or raw == "":
            self.add(problem(field, "field.required"))
            return today
        value = self._parsed(field, lambda: parse_past_date(raw, today), today)
        if value < earliest:
            self.add(problem(field, "date.before_registration"))
        return value

    def moment(self, field: str, raw: str | datetime | None, now: datetime, earliest: datetime) -> datetime:
        """A date and time (a string is Bangkok time, its year CE or BE), after ``earliest`` and within
        ``SCHEDULE_AHEAD_DAYS`` of ``now``."""
        value = parse_moment(raw)
        if value is None:
            self.add(problem(field, "field.required" if raw in (None, "") else "datetime.format"))
            return now
        if value < earliest:
            self.add(problem(field, "datetime.before_registration"))
        elif (value - now).days >= SCHEDULE_AHEAD_DAYS:
            self.add(problem(field, "datetime.too_far"))
        return value

    def satang(self, field: str, raw: int | str | None, *, required: bool = False) -> int | None:
        """An amount: baht text (``"12,500.50"``, Thai digits) through ``kernel.money``, or an int already in
        satang (from code that holds satang)."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.add(problem(field, "field.required"))
            return None
        if isinstance(raw, bool):
            self.add(problem(field, "field.choice"))
            return None
        if isinstance(raw, int):
            # The same bounds and messages as baht text: its whole baht (rounded up) through kernel.money.
            checked = self._parsed(field, lambda: parse_satang(-1 if raw < 0 else -(-raw // 100)), None)
            return None if checked is None else raw
        return self._parsed(field, lambda: parse_satang(raw), None)

    def rate_bp(self, field: str, raw: int | str | None) -> int | None:
        """A yearly interest rate: percent text (``"12.5"``) or an int in basis points."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool):
            self.add(problem(field, "field.choice"))
            return None
        if isinstance(raw, int):
            # The same bounds and messages as percent text.
            text = "-1" if raw < 0 else f"{raw // 100}.{raw % 100:02d}"
            return self._parsed(field, lambda: parse_rate_bp(text), None)
        return self._parsed(field, lambda: parse_rate_bp(raw), None)

    def district(self, field: str, raw: str | None, current: str) -> str:
        code = (raw or "").strip().translate(TO_ASCII_DIGITS)
        if not code:
            self.add(problem(field, "field.required"))
        elif admin_areas.district(code) is None:
            self.add(problem(field, "district.unknown"))
        elif code == current:
            self.add(problem(field, "district.same"))
        return code

    def officer(self, field: str, raw: str | None) -> str | None:
        """A token subject (who is assigned), or None to unassign."""
        if raw is None or raw == "":
            return None
        if len(raw) > OFFICER_SUB_MAX or not raw.isprintable() or raw.strip() != raw:
            self.add(problem(field, "officer.format"))
        return raw


def parse_moment(raw: str | datetime | None) -> datetime | None:
    """``2025-03-01T09:30``, ``2568-03-01 09:30`` (Buddhist Era), with seconds or a UTC offset if given, or a
    datetime; without an offset it is Bangkok time. None when it cannot be read."""
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=THAI_TIME)
    if not raw:
        return None
    text = raw.strip().translate(TO_ASCII_DIGITS)
    match = _DATETIME.match(text)
    if match is None:
        return None
    year = int(match["y"])
    if year > _BE_THRESHOLD:
        text = f"{year - BE_OFFSET:04d}{text[4:]}"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=THAI_TIME)
