from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from registration.kernel.receipts import be_year, parse_receipt, receipt_number, thai_date


def test_receipt_numbers_read_as_province_year_and_running_number() -> None:
    assert receipt_number("47", be_year(date(2026, 1, 1)), 123) == "47-2569-000123"
    assert receipt_number("10", 2569, 1_234_567) == "10-2569-1234567"


def test_the_year_is_the_thai_calendar_year() -> None:
    new_year_in_bangkok = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 1 Jan 2026 in Bangkok
    assert thai_date(new_year_in_bangkok) == date(2026, 1, 1)
    assert be_year(thai_date(new_year_in_bangkok)) == 2569


@pytest.mark.parametrize(("heard", "canonical"), [
    ("47-2569-000123", "47-2569-000123"), ("47 2569 000123", "47-2569-000123"), ("472569000123", "47-2569-000123"),
    ("๔๗-๒๕๖๙-๐๐๐๑๒๓", "47-2569-000123"), (" 47–2569–000123 ", "47-2569-000123"),
])
def test_receipts_are_accepted_as_typed_or_heard(heard: str, canonical: str) -> None:
    assert parse_receipt(heard) == canonical


@pytest.mark.parametrize("garbage", ["", "47-2569", "AB-2569-000123", "47-2569-00012", "4" * 40, "47/2569/000123"])
def test_anything_else_is_not_a_receipt(garbage: str) -> None:
    assert parse_receipt(garbage) is None
