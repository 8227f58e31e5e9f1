"""Collects every field error of a submission at once, so a form shows all its problems together."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from registration.kernel.text import normalise_name, normalise_text
from registration.kernel.thai import FieldError

T = TypeVar("T")

# Rules of the registration form beyond single-value parsing (those live in domain/thai, money, interest).
MESSAGES: dict[str, tuple[str, str]] = {
    "given_name.required": ("กรุณากรอกชื่อ", "Please enter the given name."),
    "family_name.required": ("กรุณากรอกนามสกุล", "Please enter the family name."),
    "address.required": ("กรุณากรอกที่อยู่ (บ้านเลขที่ หมู่ ซอย ถนน)", "Please enter the address (house number, road)."),
    "postal_code.format": ("รหัสไปรษณีย์ต้องเป็นตัวเลข 5 หลัก", "The postal code must have 5 digits."),
    "creditors.required": ("กรุณาระบุเจ้าหนี้อย่างน้อย 1 ราย", "Please add at least one creditor."),
    "debts.required": ("กรุณาระบุหนี้ของเจ้าหนี้รายนี้อย่างน้อย 1 รายการ", "Please add at least one debt for this creditor."),
    "interest_period.required": ("กรุณาเลือกว่าดอกเบี้ยคิดต่อวัน ต่อเดือน หรือต่อปี",
                                 "Please choose whether the interest is per day, month or year."),
    "help_wanted.required": ("กรุณาเลือกความช่วยเหลือที่ต้องการอย่างน้อย 1 ข้อ", "Please choose at least one kind of help."),
    "help_other.required": ("กรุณาระบุความช่วยเหลืออื่น ๆ ที่ต้องการ", "Please describe the other help wanted."),
    "privacy.required": ("กรุณารับทราบประกาศความเป็นส่วนตัวก่อนลงทะเบียน",
                         "Please acknowledge the privacy notice before registering."),
    "paper_form_no.required": ("กรุณากรอกเลขที่แบบฟอร์มกระดาษ", "Please enter the paper form number."),
    "birth_date.required": ("กรุณากรอกวันเกิด", "Please enter the date of birth."),
}


class Collector:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, code: str) -> None:
        th, en = MESSAGES[code]
        self.errors.append(FieldError(code, th, en, field))

    def parse(self, field: str, parser: Callable[[str], T], raw: str, default: T) -> T:
        """``parser(raw)``, or ``default`` with the error recorded under ``field``."""
        try:
            return parser(raw)
        except FieldError as error:
            self.errors.append(error.with_field(field))
            return default

    def optional(self, field: str, parser: Callable[[str], T], raw: str | None) -> T | None:
        """Like :meth:`parse` for a field that may be left empty."""
        if raw is None or not raw.strip():
            return None
        return self.parse(field, parser, raw, None)

    def text(self, field: str, raw: str | None, required_code: str | None = None, *, name: bool = False) -> str:
        """Normalised text (``domain.text``; ``name`` adds the rules for names); empty text is an error when
        ``required_code`` is given."""
        try:
            value = (normalise_name if name else normalise_text)(raw or "")
        except FieldError as error:
            self.errors.append(error.with_field(field))
            return ""
        if not value and required_code:
            self.add(field, required_code)
        return value
