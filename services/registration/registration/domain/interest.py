"""Interest rates as stated by borrowers, and the legal cap.

The Act Prohibiting Excessive Interest (B.E. 2560) caps interest at 15% per year; lenders quote
rates per day, month or year. Rates are held as integer basis points (hundredths of a percent)
per period, so "1.25% per month" is ``125`` and comparisons against the cap are exact.
The cap is a simple-interest figure, so a period rate converts by multiplication, not compounding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from registration.domain.thai import FieldError, normalise_digits


class Period(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


PERIODS_PER_YEAR: dict[Period, int] = {Period.DAY: 365, Period.MONTH: 12, Period.YEAR: 1}
LEGAL_CAP_BP_PER_YEAR = 1500  # 15% per year = 1.25% per month
MAX_RATE_BP = 100_000  # 1,000% per period: above it is a typo, not a loan shark

_RATE = re.compile(r"(?P<whole>[0-9]+)(?:\.(?P<frac>[0-9]+))?")
_MESSAGES: dict[str, tuple[str, str]] = {
    "interest_rate.format": (
        "อัตราดอกเบี้ยไม่ถูกต้อง กรุณากรอกเป็นตัวเลขร้อยละ เช่น 20 หรือ 1.5",
        "Invalid interest rate. Enter a percentage such as 20 or 1.5.",
    ),
    "interest_rate.negative": ("อัตราดอกเบี้ยต้องไม่ติดลบ", "The interest rate cannot be negative."),
    "interest_rate.precision": (
        "อัตราดอกเบี้ยมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง",
        "The interest rate can have at most 2 decimal places.",
    ),
    "interest_rate.too_large": (
        "อัตราดอกเบี้ยสูงเกินไป กรุณาตรวจสอบอีกครั้ง",
        "The interest rate is too high. Please check it again.",
    ),
}


def _error(code: str) -> FieldError:
    th, en = _MESSAGES[code]
    return FieldError(code, th, en)


@dataclass(frozen=True)
class InterestRate:
    basis_points: int
    period: Period

    @property
    def basis_points_per_year(self) -> int:
        return self.basis_points * PERIODS_PER_YEAR[self.period]

    @property
    def excessive(self) -> bool:
        """Above the legal cap of 15% per year (exactly 15% is lawful)."""
        return self.basis_points_per_year > LEGAL_CAP_BP_PER_YEAR


def parse_rate_bp(raw: str) -> int:
    """``"20"`` -> 2000, ``"1.25 %"`` -> 125, Thai digits accepted. Codes: interest_rate.*"""
    if raw.strip().startswith(("-", "\u2212", "\u2013")):  # before normalising, which drops dashes
        raise _error("interest_rate.negative")
    text = normalise_digits(raw).removeprefix("ร้อยละ").removesuffix("%")
    match = _RATE.fullmatch(text)
    if match is None:
        raise _error("interest_rate.format")
    frac = match["frac"] or ""
    if len(frac) > 2:
        raise _error("interest_rate.precision")
    if len(match["whole"]) > 6:
        raise _error("interest_rate.too_large")
    bp = int(match["whole"]) * 100 + int(frac.ljust(2, "0"))
    if bp > MAX_RATE_BP:
        raise _error("interest_rate.too_large")
    return bp
