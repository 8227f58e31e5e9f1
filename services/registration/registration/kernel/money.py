"""Baht amounts held as integer satang (1 baht = 100 satang).

Amounts never pass through float: binary floats cannot represent most satang values, and
a debt register must reproduce the exact figure the borrower signed for.
"""

import re
from decimal import Decimal

from registration.kernel.thai import TO_ASCII_DIGITS, FieldError

MAX_BAHT = 100_000_000
"""One amount above 100 million baht is a typo, not an informal loan (docs/limits.md)."""

_MESSAGES: dict[str, tuple[str, str]] = {
    "money.required": ("กรุณากรอกจำนวนเงิน", "Please enter an amount."),
    "money.format": (
        "จำนวนเงินไม่ถูกต้อง กรุณากรอกเป็นตัวเลข เช่น 1,234.50",
        "Invalid amount. Enter a number such as 1,234.50.",
    ),
    "money.negative": ("จำนวนเงินต้องไม่ติดลบ", "The amount cannot be negative."),
    "money.precision": (
        "จำนวนเงินมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง (สตางค์)",
        "The amount can have at most 2 decimal places (satang).",
    ),
    "money.too_large": (
        "จำนวนเงินสูงเกินไป กรุณาตรวจสอบอีกครั้ง",
        "The amount is too large. Please check it again.",
    ),
}


def _error(code: str) -> FieldError:
    th, en = _MESSAGES[code]
    return FieldError(code, th, en)


_DROP_SPACES = str.maketrans("", "", " \u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff")
_MINUS = ("-", "\u2212", "\u2013")
# Commas must sit on thousands boundaries: "1,23" may be a European decimal comma, and
# reading it as 123 baht would be a silent hundred-fold error.
_AMOUNT = re.compile(r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]+))?")


def _clean(raw: str) -> str:
    text = raw.translate(TO_ASCII_DIGITS).translate(_DROP_SPACES)
    if text.startswith(_MINUS):
        raise _error("money.negative")
    text = text.removeprefix("฿").removesuffix("บาท")
    if text.startswith(_MINUS):
        raise _error("money.negative")
    return text


def _parse_text(raw: str) -> Decimal:
    text = _clean(raw)
    if not text:
        raise _error("money.required")
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise _error("money.format")
    whole = match["whole"].replace(",", "").lstrip("0") or "0"
    frac = match["frac"] or "0"
    if len(frac) > 2:
        raise _error("money.precision")
    # Checked before Decimal() so megabyte-long inputs cost nothing.
    if len(whole) > len(str(MAX_BAHT)):
        raise _error("money.too_large")
    return Decimal(f"{whole}.{frac}")


def parse_satang(raw: str | int) -> int:
    """Parse a non-negative baht amount into integer satang.

    Strings may use Thai digits, thousands commas, spaces, a ``฿`` prefix or a ``บาท``
    suffix, and at most two decimals: ``"฿1,234.50"`` -> ``123450``. An ``int`` is whole
    baht. Floats are refused with TypeError. Codes: money.required / format / negative /
    precision / too_large.
    """
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise TypeError(f"amount must be str or int baht, not {type(raw).__name__}")
    if isinstance(raw, int) and raw < 0:
        raise _error("money.negative")
    baht = Decimal(raw) if isinstance(raw, int) else _parse_text(raw)
    if baht > MAX_BAHT:
        raise _error("money.too_large")
    return int(baht * 100)


def format_baht(satang: int) -> str:
    """Format satang as baht with thousands separators: ``123450`` -> ``"1,234.50"``."""
    if isinstance(satang, bool) or not isinstance(satang, int):
        raise TypeError(f"satang must be int, not {type(satang).__name__}")
    baht, rest = divmod(abs(satang), 100)
    sign = "-" if satang < 0 else ""
    return f"{sign}{baht:,}.{rest:02d}"
