from __future__ import annotations

import pytest

from registration.cases.model import Creditor, Debt, any_excessive_interest
from registration.kernel.interest import InterestRate, Period, parse_rate_bp
from registration.kernel.thai import FieldError


@pytest.mark.parametrize(("bp", "period", "per_year", "excessive"), [
    (1500, Period.YEAR, 1500, False),  # exactly the cap is lawful
    (1501, Period.YEAR, 1501, True),
    (125, Period.MONTH, 1500, False),  # 1.25% a month is 15% a year
    (126, Period.MONTH, 1512, True),
    (2000, Period.MONTH, 24000, True),  # the usual loan shark: 20% a month
    (4, Period.DAY, 1460, False),  # 0.04% a day = 14.6% a year
    (5, Period.DAY, 1825, True),
    (0, Period.DAY, 0, False),
])
def test_rates_convert_to_a_year_by_simple_interest(bp: int, period: Period, per_year: int, excessive: bool) -> None:
    rate = InterestRate(bp, period)
    assert rate.basis_points_per_year == per_year
    assert rate.excessive is excessive


@pytest.mark.parametrize(("raw", "bp"), [
    ("20", 2000), ("1.25", 125), ("1.5", 150), ("๒๐", 2000), ("20 %", 2000), ("ร้อยละ 3", 300), ("0", 0),
    ("1000", 100_000),
])
def test_rates_are_parsed_into_basis_points(raw: str, bp: int) -> None:
    assert parse_rate_bp(raw) == bp


@pytest.mark.parametrize(("raw", "code"), [
    ("", "interest_rate.format"), ("abc", "interest_rate.format"), ("-5", "interest_rate.negative"),
    ("1.255", "interest_rate.precision"), ("1000.01", "interest_rate.too_large"),
    ("9" * 50, "interest_rate.too_large"), ("1,5", "interest_rate.format"),
])
def test_bad_rates_are_refused_in_thai(raw: str, code: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_rate_bp(raw)
    assert caught.value.code == code and caught.value.th


def test_a_debt_without_a_known_rate_is_not_flagged_and_one_flagged_debt_flags_the_case() -> None:
    lawful = Debt(100, 100, interest=InterestRate(100, Period.MONTH))
    unknown = Debt(100, 100)
    shark = Debt(100, 100, interest=InterestRate(1000, Period.DAY))
    assert not unknown.excessive_interest and not lawful.excessive_interest and shark.excessive_interest
    assert not any_excessive_interest((Creditor((lawful, unknown)),))
    assert any_excessive_interest((Creditor((lawful,)), Creditor((shark,))))
