"""The yearly rate worked out from an instalment schedule, and the flag it raises."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registration.cases.docs import _debt, debt_doc
from registration.cases.model import Creditor, Debt, any_excessive_interest
from registration.kernel.interest import (
    FREQUENCY_PER_YEAR,
    LEGAL_CAP_BP_PER_YEAR,
    MAX_INSTALMENTS,
    Frequency,
    InstalmentSchedule,
    InterestRate,
    Period,
    effective_bp_per_year,
    is_excessive,
    parse_instalment_count,
)
from registration.kernel.thai import FieldError


def schedule(principal: int, instalment: int, frequency: str, count: int) -> InstalmentSchedule:
    found = InstalmentSchedule.of(principal, instalment, frequency, count)
    assert found is not None
    return found


def irr_by_floats(s: InstalmentSchedule) -> float:
    """An independent check: the periodic rate by float bisection on the plain sum of discounted instalments."""
    def worth(r: float) -> float:
        total, discount = 0.0, 1.0
        for _ in range(s.count):
            discount /= 1 + r  # underflows to 0 rather than overflowing as (1 + r) ** k would
            total += s.instalment_satang * discount
        return total

    low, high = -0.999999, s.instalment_satang / s.principal_satang + 1
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if worth(middle) > s.principal_satang else (low, middle)
    return (low + high) / 2


def test_the_loan_shark_classic_borrow_10000_and_pay_500_a_day_for_24_days() -> None:
    shark = schedule(1_000_000, 50_000, "daily", 24)
    # 2,000 baht of interest on 10,000 over 24 days: 20 % * 365/24 = 304.1666…% a year, rounded up.
    assert shark.flat_bp_per_year == 30_417
    # On the balance still owed it is about 1.51 % a day, 552 % a year.
    assert shark.effective_bp_per_year == math.ceil(irr_by_floats(shark) * 365 * 10_000)
    assert 55_000 < shark.effective_bp_per_year < 55_500
    assert shark.excessive


@pytest.mark.parametrize(("principal", "instalment", "frequency", "count", "flat", "effective"), [
    (10_000, 10_125, "monthly", 1, 1500, 1500),  # 1.25 % for one month: exactly the cap
    (10_000, 10_000, "monthly", 1, 0, 0),  # no interest
    (10_000, 2_500, "weekly", 4, 0, 0),
    (10_000, 9_000, "monthly", 1, -12_000, -12_000),  # repays less than borrowed: -10 % a month
    (10_000, 11_000, "daily", 1, 365_000, 365_000),  # 10 % for one day
    (1_200_000, 110_000, "monthly", 12, 1_000, 1_798),  # 10 % flat a year is nearly 18 % on the balance
])
def test_flat_and_effective_rates(principal: int, instalment: int, frequency: str, count: int, flat: int,
                                  effective: int) -> None:
    s = schedule(principal, instalment, frequency, count)
    assert (s.flat_bp_per_year, s.effective_bp_per_year) == (flat, effective)


def test_exactly_the_cap_is_lawful_and_a_hair_above_is_flagged() -> None:
    at_cap = schedule(1_000_000, 1_012_500, "monthly", 1)  # 1.25 % a month
    above = schedule(10_000_000, 10_125_001, "monthly", 1)  # 1.25001 % a month: 15.00012 % a year
    assert at_cap.effective_bp_per_year == LEGAL_CAP_BP_PER_YEAR and not at_cap.excessive
    assert above.effective_bp_per_year == LEGAL_CAP_BP_PER_YEAR + 1 and above.excessive


def test_a_week_is_seven_of_the_365_days_of_a_year() -> None:
    # 1 % a week for one week: 365/7 weeks a year, 52.142857 %, rounded up to 52.15 %.
    assert schedule(10_000, 10_100, "weekly", 1).flat_bp_per_year == 5215
    assert FREQUENCY_PER_YEAR[Frequency.WEEKLY] == Fraction(365, 7)


def test_huge_amounts_and_the_longest_schedule_are_computed_exactly() -> None:
    huge = schedule(10**16, 2 * 10**13, "daily", MAX_INSTALMENTS)  # 100 trillion baht, 1,000 days
    assert huge.flat_bp_per_year == 3650
    assert huge.effective_bp_per_year == pytest.approx(irr_by_floats(huge) * 365 * 10_000, abs=1)
    tiny_loan = schedule(1, 10**14, "daily", MAX_INSTALMENTS)
    assert tiny_loan.effective_bp_per_year > 10**20
    nearly_nothing_back = schedule(10**16, 1, "monthly", MAX_INSTALMENTS)
    assert -120_000 < nearly_nothing_back.effective_bp_per_year < 0 and not nearly_nothing_back.excessive


@pytest.mark.parametrize("terms", [
    (None, 50_000, "daily", 24), (1_000_000, None, "daily", 24), (1_000_000, 50_000, None, 24),
    (1_000_000, 50_000, "daily", None), (1_000_000, 50_000, "other", 24), (0, 50_000, "daily", 24),
    (1_000_000, 0, "daily", 24), (1_000_000, 50_000, "daily", 0), (1_000_000, 50_000, "daily", 1001),
    (-1, 50_000, "daily", 24),
])
def test_missing_or_unusable_terms_give_no_schedule(terms: tuple[int | None, int | None, str | None, int | None],
                                                    ) -> None:
    assert InstalmentSchedule.of(*terms) is None


def test_the_stated_rate_comes_first_and_unknown_is_not_excessive() -> None:
    shark = schedule(1_000_000, 50_000, "daily", 24)
    assert effective_bp_per_year(InterestRate(100, Period.MONTH), shark) == 1200
    assert effective_bp_per_year(None, shark) == shark.effective_bp_per_year
    assert effective_bp_per_year(None, None) is None
    assert not is_excessive(None) and not is_excessive(1500) and is_excessive(1501)


def test_a_debt_is_flagged_from_its_schedule_when_no_rate_was_stated() -> None:
    shark = Debt(1_000_000, 500_000, instalment_satang=50_000, instalment_frequency="daily", instalment_count=24)
    no_count = Debt(1_000_000, 500_000, instalment_satang=50_000, instalment_frequency="daily")
    # The borrower says 1 % a month; the schedule may be interest only, so the stated rate is believed.
    stated = Debt(1_000_000, 500_000, interest=InterestRate(100, Period.MONTH), instalment_satang=50_000,
                  instalment_frequency="daily", instalment_count=24)
    assert shark.excessive_interest and shark.effective_bp_per_year == shark.schedule.effective_bp_per_year  # type: ignore[union-attr]
    assert not no_count.excessive_interest and no_count.effective_bp_per_year is None
    assert not stated.excessive_interest and stated.effective_bp_per_year == 1200
    assert any_excessive_interest((Creditor((no_count,)), Creditor((shark,))))


def test_the_count_and_the_effective_rate_are_stored_and_read_back() -> None:
    shark = Debt(1_000_000, 500_000, instalment_satang=50_000, instalment_frequency="daily", instalment_count=24)
    doc = debt_doc(shark)
    assert doc["instalment_count"] == 24 and doc["effective_bp_per_year"] == shark.effective_bp_per_year
    assert doc["excessive_interest"] is True
    assert _debt(doc) == shark
    older = {k: v for k, v in doc.items() if k not in ("instalment_count", "effective_bp_per_year")}
    assert _debt(older).instalment_count is None  # cases stored before the field existed


@pytest.mark.parametrize(("raw", "count"), [("24", 24), ("๒๔", 24), ("24 งวด", 24), (" 1 ", 1), ("1000", 1000)])
def test_instalment_counts_are_parsed(raw: str, count: int) -> None:
    assert parse_instalment_count(raw) == count


@pytest.mark.parametrize(("raw", "code"), [("0", "instalment_count.range"), ("1001", "instalment_count.range"),
                                           ("abc", "instalment_count.format"), ("2.5", "instalment_count.format"),
                                           ("-3", "instalment_count.range"), ("", "instalment_count.format"),
                                           ("9" * 40, "instalment_count.format")])
def test_bad_instalment_counts_are_refused_in_thai(raw: str, code: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_instalment_count(raw)
    assert caught.value.code == code and caught.value.th and caught.value.en


# ---- properties ----

frequencies = st.sampled_from(list(Frequency))
principals = st.integers(1, 10**12)
counts = st.integers(1, 120)


@settings(max_examples=150, deadline=None)
@given(principals, st.integers(1, 10**10), frequencies, counts)
def test_the_effective_rate_matches_an_independent_float_computation(principal: int, instalment: int,
                                                                      frequency: Frequency, count: int) -> None:
    s = schedule(principal, instalment, frequency, count)
    per_year = float(FREQUENCY_PER_YEAR[frequency]) * 10_000
    expected = irr_by_floats(s) * per_year
    assert s.effective_bp_per_year == pytest.approx(expected, rel=1e-6, abs=2)


@settings(max_examples=150, deadline=None)
@given(principals, st.integers(1, 10**9), frequencies, counts)
def test_rates_rise_with_the_instalment(principal: int, instalment: int, frequency: Frequency, count: int) -> None:
    lower, higher = schedule(principal, instalment, frequency, count), schedule(principal, instalment + 1,
                                                                                  frequency, count)
    assert lower.flat_bp_per_year <= higher.flat_bp_per_year
    assert lower.effective_bp_per_year <= higher.effective_bp_per_year


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 10**9), frequencies, counts)
def test_repaying_exactly_the_principal_is_zero_interest(instalment: int, frequency: Frequency, count: int) -> None:
    s = schedule(instalment * count, instalment, frequency, count)
    assert s.flat_bp_per_year == 0 == s.effective_bp_per_year and not s.excessive


@settings(max_examples=150, deadline=None)
@given(principals, st.integers(1, 10**10), frequencies, counts)
def test_the_effective_rate_is_never_below_the_flat_rate_when_interest_is_charged(
        principal: int, instalment: int, frequency: Frequency, count: int) -> None:
    # Interest on the balance still owed, which shrinks, must be dearer than on the whole principal.
    s = schedule(principal, instalment, frequency, count)
    if s.repaid_satang > principal:
        assert s.effective_bp_per_year >= s.flat_bp_per_year > 0
        assert s.excessive == (s.effective_bp_per_year > LEGAL_CAP_BP_PER_YEAR)
    if count == 1:
        assert s.effective_bp_per_year == s.flat_bp_per_year


@settings(max_examples=100, deadline=None)
@given(principals, st.integers(1, 10**10), frequencies)
def test_one_instalment_is_the_rate_of_one_period(principal: int, instalment: int, frequency: Frequency) -> None:
    s = schedule(principal, instalment, frequency, 1)
    exact = Fraction(instalment - principal, principal) * FREQUENCY_PER_YEAR[frequency] * 10_000
    assert s.effective_bp_per_year == math.ceil(exact)
