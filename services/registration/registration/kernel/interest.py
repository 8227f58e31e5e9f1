"""Interest rates as stated by borrowers, and the legal cap.

The Act Prohibiting Excessive Interest (B.E. 2560) caps interest at 15% per year; lenders quote
rates per day, month or year. Rates are held as integer basis points (hundredths of a percent)
per period, so "1.25% per month" is ``125`` and comparisons against the cap are exact.
The cap is a simple-interest figure, so a period rate converts by multiplication, not compounding.

Borrowers often know only the schedule ("borrowed 10,000, pay 500 a day for 24 days"), so the rate is also
worked out from it (:class:`InstalmentSchedule`), two ways:

* the *flat* (implied simple) rate, ``((n*A - P) / P) / (term in years)``: total interest over principal, a year.
  Easy to check by hand, but it charges interest on the whole principal for the whole term although the
  debtor pays it back as they go, so it understates the price of an instalment loan (about half);
* the *effective* rate, which is the one flagged: the periodic rate ``r`` that makes the instalments worth the
  principal (``sum A/(1+r)^k for k = 1..n == P``, the internal rate of return; payments at the end of each
  period), times the periods in a year. That is interest on the balance still owed ("ลดต้นลดดอก"), the
  figure the Bank of Thailand calls the effective rate for instalment loans; it is annualised by
  multiplication, not compounding, because the Act and the courts state the cap as a simple (nominal)
  yearly rate, the same reading as for stated rates above. For one instalment it equals the flat rate and
  for more it is higher, so it flags every loan the flat rate would.

Figures are integer basis points per year *rounded up*, so a figure is above the cap (1500) exactly when the
rate is: 15.001 % shows as 15.01 % and is flagged; exactly 15 % is 1500 and lawful. Both are computed
exactly (rationals; the effective rate by bisection over whole basis points with integer arithmetic), so
the rounding and the flag never depend on floating-point error. Missing or unusable terms give ``None``
("unknown"), never a guess, and unknown is not excessive. A stated rate wins over the schedule
(:func:`effective_bp_per_year`): instalments may pay the interest alone, with the principal still owed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

from registration.kernel.thai import FieldError, normalise_digits


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
    "instalment_count.format": (
        "จำนวนงวดต้องเป็นจำนวนเต็ม เช่น 24",
        "The number of instalments must be a whole number, such as 24.",
    ),
    "instalment_count.range": (
        "จำนวนงวดต้องอยู่ระหว่าง 1 ถึง 1,000 งวด",
        "The number of instalments must be between 1 and 1,000.",
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


# ---- instalment schedules ----

class Frequency(StrEnum):
    """How often an instalment is paid; the form's "other" has no known period, so no rate."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


# A year of 365 days, as for rates per day: a weekly loan's year is 365/7 weeks, not 52.
FREQUENCY_PER_YEAR: dict[Frequency, Fraction] = {
    Frequency.DAILY: Fraction(365), Frequency.WEEKLY: Fraction(365, 7), Frequency.MONTHLY: Fraction(12),
}
MIN_INSTALMENTS, MAX_INSTALMENTS = 1, 1000  # 1,000 daily instalments is nearly three years
_BP = 10_000  # basis points in 1 (100 %)
_COUNT = re.compile(r"[0-9]{1,7}")


def parse_instalment_count(raw: str) -> int:
    """``"24"``, ``"๒๔"``, ``"24 งวด"`` -> 24. Codes: instalment_count.format / range."""
    if raw.strip().startswith(("-", "\u2212", "\u2013")):  # before normalising, which drops dashes
        raise _error("instalment_count.range")
    text = normalise_digits(raw).removesuffix("งวด")
    if _COUNT.fullmatch(text) is None:
        raise _error("instalment_count.format")
    count = int(text)
    if not MIN_INSTALMENTS <= count <= MAX_INSTALMENTS:
        raise _error("instalment_count.range")
    return count


@dataclass(frozen=True)
class InstalmentSchedule:
    """Borrowed ``principal_satang``; repaid as ``count`` instalments of ``instalment_satang`` each
    ``frequency``, the first one period after the loan."""

    principal_satang: int
    instalment_satang: int
    frequency: Frequency
    count: int

    @classmethod
    def of(cls, principal_satang: int | None, instalment_satang: int | None, frequency: str | None,
           count: int | None) -> InstalmentSchedule | None:
        """The schedule, or None when a term is missing or cannot give a rate (no principal, no instalment,
        an "other" frequency, a count out of range)."""
        if principal_satang is None or instalment_satang is None or count is None or frequency is None:
            return None
        if principal_satang <= 0 or instalment_satang <= 0 or not MIN_INSTALMENTS <= count <= MAX_INSTALMENTS:
            return None
        try:
            return cls(principal_satang, instalment_satang, Frequency(frequency), count)
        except ValueError:
            return None

    @property
    def periods_per_year(self) -> Fraction:
        return FREQUENCY_PER_YEAR[self.frequency]

    @property
    def repaid_satang(self) -> int:
        return self.count * self.instalment_satang

    @property
    def flat_bp_per_year(self) -> int:
        """``((n*A - P) / P) / (n / periods a year)`` in basis points, rounded up; negative when less than
        the principal is repaid."""
        rate = Fraction(self.repaid_satang - self.principal_satang, self.principal_satang) \
            * self.periods_per_year / self.count
        return math.ceil(rate * _BP)

    @property
    def effective_bp_per_year(self) -> int:
        """The internal rate of return per period times the periods a year, in basis points, rounded up."""
        per_year = self.periods_per_year * _BP
        return _irr_bp(self.principal_satang, self.instalment_satang, self.count, per_year.numerator,
                       per_year.denominator)

    @property
    def excessive(self) -> bool:
        return self.effective_bp_per_year > LEGAL_CAP_BP_PER_YEAR


@lru_cache(maxsize=4096)  # pure and called for every debt a page shows: worth remembering
def _irr_bp(principal: int, instalment: int, n: int, p: int, q: int) -> int:
    """The smallest whole ``b`` with ``r = b / (p/q)`` at or above the schedule's rate of return, where
    ``p/q`` is basis points a year per unit of periodic rate (periods a year * 10,000)."""

    def worth_more(b: int) -> bool:
        """Are the instalments, discounted at ``r = b*q/p`` a period, worth more than the principal? True
        exactly when ``r`` is below the rate of return (their worth falls as ``r`` rises).

        With ``1 + r = s/p``: worth = A * (1 - (p/s)^n) / r = A*p*(s^n - p^n) / (b*q*s^n), compared with P
        after multiplying out the denominator (its sign is b's), so no division is ever rounded."""
        if b == 0:
            return n * instalment > principal
        s = p + b * q
        sn: int = s**n  # whole numbers: n is positive (a bare ** is typed for negative powers too)
        pn: int = p**n
        left, right = instalment * p * (sn - pn), principal * b * q * sn
        return left > right if b > 0 else left < right

    repaid = n * instalment
    if repaid == principal:
        return 0
    if repaid > principal:
        # Worth at rate A/P is below A/r = P, so the rate lies in (0, A/P].
        below, above = 0, math.ceil(Fraction(instalment * p, principal * q))
    else:
        # Repaying less than was borrowed: a rate in (-100 %, 0) a period; worth grows without bound
        # towards -100 %, so the least whole b above it is either the answer or below the rate.
        first = 1 - -(-p // q)  # 1 - ceil(p/q)
        if not worth_more(first):
            return first
        below, above = first, 0
    while above - below > 1:  # invariant: worth_more(below) and not worth_more(above)
        middle = (below + above) // 2
        if worth_more(middle):
            below = middle
        else:
            above = middle
    return above


def effective_bp_per_year(stated: InterestRate | None, schedule: InstalmentSchedule | None) -> int | None:
    """The debt's yearly rate for the cap: the stated rate when there is one (the schedule may pay only the
    interest, with the principal still owed, and then says nothing about the rate), else the schedule's
    effective rate; None when neither is known."""
    if stated is not None:
        return stated.basis_points_per_year
    return schedule.effective_bp_per_year if schedule is not None else None


def is_excessive(bp_per_year: int | None) -> bool:
    """Above the legal cap; an unknown rate is not."""
    return bp_per_year is not None and bp_per_year > LEGAL_CAP_BP_PER_YEAR
