"""Thai-specific normalisation, validation and formatting for registration form fields.

Parsers raise :class:`FieldError`, which carries a stable machine code plus a Thai and an
English message. The parsers do not know which form field they serve; the caller attaches
the field name with :meth:`FieldError.with_field`.
"""

import re
from dataclasses import dataclass, replace
from datetime import date, datetime


@dataclass(eq=False)
class FieldError(Exception):
    """A user-facing validation error: stable ``code``, Thai and English messages."""

    code: str
    th: str
    en: str
    field: str | None = None

    def __post_init__(self) -> None:
        # Filling args keeps pickling, logging and tracebacks working like a plain exception.
        super().__init__(self.code, self.th, self.en, self.field)

    def __str__(self) -> str:
        return f"{self.code}: {self.en}"

    def with_field(self, field: str) -> "FieldError":
        return replace(self, field=field)


_MESSAGES: dict[str, tuple[str, str]] = {
    "citizen_id.required": (
        "กรุณากรอกเลขประจำตัวประชาชน",
        "Please enter the citizen ID number.",
    ),
    "citizen_id.non_digit": (
        "เลขประจำตัวประชาชนต้องเป็นตัวเลขเท่านั้น",
        "The citizen ID number must contain digits only.",
    ),
    "citizen_id.length": (
        "เลขประจำตัวประชาชนต้องมี 13 หลัก",
        "The citizen ID number must have 13 digits.",
    ),
    "citizen_id.first_digit": (
        "เลขประจำตัวประชาชนต้องขึ้นต้นด้วยเลข 1 ถึง 8",
        "The citizen ID number must start with a digit from 1 to 8.",
    ),
    "citizen_id.checksum": (
        "เลขประจำตัวประชาชนไม่ถูกต้อง กรุณาตรวจสอบอีกครั้ง",
        "The citizen ID number is not valid (check digit mismatch). Please check it again.",
    ),
    "phone.required": ("กรุณากรอกหมายเลขโทรศัพท์", "Please enter a phone number."),
    "phone.non_digit": (
        "หมายเลขโทรศัพท์ต้องเป็นตัวเลขเท่านั้น",
        "The phone number must contain digits only.",
    ),
    "phone.country": (
        "รองรับเฉพาะหมายเลขโทรศัพท์ในประเทศไทย (+66)",
        "Only Thai phone numbers (+66) are accepted.",
    ),
    "phone.length": (
        "หมายเลขโทรศัพท์ต้องมี 10 หลัก (มือถือ) หรือ 9 หลัก (โทรศัพท์บ้าน)",
        "The phone number must have 10 digits (mobile) or 9 digits (landline).",
    ),
    "phone.prefix": (
        "หมายเลขโทรศัพท์ไม่ถูกต้อง มือถือขึ้นต้นด้วย 06 08 09 โทรศัพท์บ้านขึ้นต้นด้วย 02-05 07",
        "Invalid phone number: mobiles start 06, 08 or 09; landlines 02-05 or 07.",
    ),
    "date.required": ("กรุณากรอกวันที่", "Please enter a date."),
    "date.format": (
        "รูปแบบวันที่ไม่ถูกต้อง กรุณากรอกเป็น วว/ดด/ปปปป หรือ ปปปป-ดด-วว",
        "Unrecognised date format. Use DD/MM/YYYY or YYYY-MM-DD.",
    ),
    "date.invalid": ("ไม่มีวันที่นี้ในปฏิทิน", "This date does not exist."),
    "date.future": ("วันที่ต้องไม่เป็นวันในอนาคต", "The date cannot be in the future."),
    "date.too_early": (
        "วันที่เก่าเกินไป กรุณาตรวจสอบปี",
        "The date is too far in the past. Check the year.",
    ),
}


def _error(code: str) -> FieldError:
    th, en = _MESSAGES[code]
    return FieldError(code, th, en)


_THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
TO_ASCII_DIGITS = str.maketrans(_THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", _THAI_DIGITS)
# Characters that people and copy-paste put between digit groups; anything else is kept so
# that validation can reject it rather than silently guessing.
_SPACES = " \u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_DROP_SEPARATORS = str.maketrans("", "", _SPACES + _DASHES)
_ASCII_DIGITS = re.compile(r"[0-9]+")


def normalise_digits(s: str) -> str:
    """Map Thai digits to ASCII and drop spaces, dashes, NBSP and zero-width characters."""
    return s.strip().translate(TO_ASCII_DIGITS).translate(_DROP_SEPARATORS)


def to_thai_digits(s: str) -> str:
    """Replace ASCII digits 0-9 with Thai digits ๐-๙; other characters are unchanged."""
    return s.translate(_TO_THAI)


def _is_ascii_digits(s: str) -> bool:
    # str.isdigit() also accepts Arabic-Indic digits, superscripts and the like.
    return _ASCII_DIGITS.fullmatch(s) is not None


def citizen_id_check_digit(first12: str) -> int:
    """DOPA check digit over the first 12 digits of a citizen ID."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def parse_citizen_id(raw: str) -> str:
    """Return the 13-digit citizen ID, or raise FieldError.

    Codes: citizen_id.required / non_digit / length / first_digit / checksum.
    """
    digits = normalise_digits(raw)
    if not digits:
        raise _error("citizen_id.required")
    if not _is_ascii_digits(digits):
        raise _error("citizen_id.non_digit")
    if len(digits) != 13:
        raise _error("citizen_id.length")
    if digits[0] not in "12345678":
        raise _error("citizen_id.first_digit")
    if int(digits[12]) != citizen_id_check_digit(digits[:12]):
        raise _error("citizen_id.checksum")
    return digits


_MOBILE_PREFIXES = ("06", "08", "09")
_LANDLINE_PREFIXES = ("02", "03", "04", "05", "07")


def _strip_country_code(s: str) -> str:
    if s.startswith("+"):
        s = s[1:]
        if not s.startswith("66"):
            raise _error("phone.country")
    if s.startswith("66"):
        # Domestic numbers always begin with 0, so a leading 66 can only be the country code.
        rest = s[2:]
        return rest if rest.startswith("0") else "0" + rest
    return s


def parse_thai_phone(raw: str) -> str:
    """Return a canonical Thai phone number such as ``"0812345678"``, or raise FieldError.

    Mobile: 06/08/09 + 8 digits. Landline: 02-05/07 + 7 digits. A ``+66`` or ``66``
    country code becomes the leading 0. Codes: phone.required / non_digit / country /
    length / prefix.
    """
    s = normalise_digits(raw)
    if not s:
        raise _error("phone.required")
    s = _strip_country_code(s)
    if not _is_ascii_digits(s):
        raise _error("phone.non_digit")
    if len(s) == 10 and s.startswith(_MOBILE_PREFIXES):
        return s
    if len(s) == 9 and s.startswith(_LANDLINE_PREFIXES):
        return s
    if len(s) not in (9, 10):
        raise _error("phone.length")
    raise _error("phone.prefix")


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DMY_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
BE_OFFSET = 543
# No CE year of interest comes near 2400 and no BE year of interest is below it.
_BE_THRESHOLD = 2400
EARLIEST_DATE = date(1900, 1, 1)


def _parse_date_text(raw: str) -> date:
    text = raw.strip().translate(TO_ASCII_DIGITS)
    if not text:
        raise _error("date.required")
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _DMY_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise _error("date.format")
    ce_year = int(year) - BE_OFFSET if int(year) > _BE_THRESHOLD else int(year)
    try:
        return date(ce_year, int(month), int(day))
    except ValueError:
        raise _error("date.invalid") from None


def parse_past_date(raw: str | date, today: date, *, earliest: date = EARLIEST_DATE) -> date:
    """Parse a date that must not be after ``today`` (today itself is allowed).

    Accepts ``YYYY-MM-DD`` or ``DD/MM/YYYY`` with Thai or ASCII digits; a year above 2400
    is Buddhist Era. Dates before ``earliest`` are rejected as typos. Codes: date.required /
    format / invalid / future / too_early.
    """
    if isinstance(raw, datetime) or isinstance(today, datetime):
        raise TypeError("parse_past_date takes dates, not datetimes")
    value = raw if isinstance(raw, date) else _parse_date_text(raw)
    if value > today:
        raise _error("date.future")
    if value < earliest:
        raise _error("date.too_early")
    return value


_MONTHS_FULL = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip


def _digits(text: str, thai_digits: bool) -> str:
    return to_thai_digits(text) if thai_digits else text


def format_be_date(d: date, thai_digits: bool = False) -> str:
    """Format as e.g. ``"1 ธันวาคม 2566"`` (Buddhist Era, full month name)."""
    return _digits(f"{d.day} {_MONTHS_FULL[d.month - 1]} {d.year + BE_OFFSET}", thai_digits)


def format_be_date_short(d: date, thai_digits: bool = False) -> str:
    """Format as e.g. ``"1 ธ.ค. 66"`` (abbreviated month, last two digits of the BE year)."""
    be_year = (d.year + BE_OFFSET) % 100
    return _digits(f"{d.day} {_MONTHS_SHORT[d.month - 1]} {be_year:02d}", thai_digits)
