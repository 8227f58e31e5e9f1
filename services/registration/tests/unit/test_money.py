from decimal import Decimal

import pytest

from registration.kernel.money import MAX_BAHT, format_baht, parse_satang
from registration.kernel.thai import FieldError


@pytest.mark.parametrize(
    ("raw", "satang"),
    [
        ("1,234.50", 123450),
        ("1234", 123400),
        ("1234.5", 123450),
        ("0.01", 1),
        ("0", 0),
        ("0.00", 0),
        ("007", 700),
        ("1,000,000", 100_000_000),
        ("฿1,234.50", 123450),
        ("฿ 1,234.50", 123450),
        ("1 234.50", 123450),
        (" 1234 ", 123400),
        ("1,234.50 บาท", 123450),
        ("๑,๒๓๔.๕๐", 123450),
        ("฿๕๐๐", 50000),
        ("12\u00a0000", 1_200_000),
        (1234, 123400),
        (0, 0),
    ],
)
def test_parse_satang_valid(raw: str | int, satang: int) -> None:
    assert parse_satang(raw) == satang


def test_parse_satang_upper_bound_is_inclusive() -> None:
    assert parse_satang("100,000,000") == MAX_BAHT * 100
    assert parse_satang("100000000.00") == MAX_BAHT * 100
    assert parse_satang(MAX_BAHT) == MAX_BAHT * 100


def test_parse_satang_is_exact_where_float_is_not() -> None:
    # 0.29 * 100 == 28.999999999999996 in binary floating point.
    assert parse_satang("0.29") == 29
    assert parse_satang("99999999.99") == 9_999_999_999


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "money.required"),
        ("  ", "money.required"),
        ("฿", "money.required"),
        ("-5", "money.negative"),
        ("\u22125", "money.negative"),
        ("-฿5", "money.negative"),
        ("฿-5", "money.negative"),
        ("- 1,234.50", "money.negative"),
        (-1, "money.negative"),
        ("1.234", "money.precision"),
        ("1.500", "money.precision"),
        ("๑.๒๓๔", "money.precision"),
        ("abc", "money.format"),
        ("1,23", "money.format"),
        ("1,234,56", "money.format"),
        ("12,34.5", "money.format"),
        (",123", "money.format"),
        ("1.", "money.format"),
        (".5", "money.format"),
        ("1.2.3", "money.format"),
        ("1e3", "money.format"),
        ("NaN", "money.format"),
        ("Infinity", "money.format"),
        ("١٢٣", "money.format"),
        ("(100)", "money.format"),
        ("$100", "money.format"),
        ("100000000.01", "money.too_large"),
        ("1000000000", "money.too_large"),
        ("9" * 5000, "money.too_large"),
        (MAX_BAHT + 1, "money.too_large"),
        (10**30, "money.too_large"),
    ],
)
def test_parse_satang_errors(raw: str | int, code: str) -> None:
    with pytest.raises(FieldError) as excinfo:
        parse_satang(raw)
    assert excinfo.value.code == code
    assert excinfo.value.th and excinfo.value.en


@pytest.mark.parametrize("raw", [1.5, 0.0, True, Decimal("1.50"), None, b"12"])
def test_parse_satang_refuses_other_types(raw: object) -> None:
    with pytest.raises(TypeError):
        parse_satang(raw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("satang", "text"),
    [
        (123450, "1,234.50"),
        (0, "0.00"),
        (5, "0.05"),
        (100, "1.00"),
        (99, "0.99"),
        (100_000_000, "1,000,000.00"),
        (MAX_BAHT * 100, "100,000,000.00"),
        (-150, "-1.50"),
        (-5, "-0.05"),
    ],
)
def test_format_baht(satang: int, text: str) -> None:
    assert format_baht(satang) == text


@pytest.mark.parametrize("bad", [1.5, True, "100"])
def test_format_baht_refuses_non_int(bad: object) -> None:
    with pytest.raises(TypeError):
        format_baht(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("satang", [0, 1, 10, 99, 100, 123456789, MAX_BAHT * 100])
def test_format_then_parse_round_trips(satang: int) -> None:
    assert parse_satang(format_baht(satang)) == satang
