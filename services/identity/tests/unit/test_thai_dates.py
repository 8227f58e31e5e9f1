"""Dates on identity's pages: Buddhist Era, Thai month names, Thailand's time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from identity.domain.thai_dates import thai_date, thai_datetime


def test_buddhist_era_thai_months_and_thai_time() -> None:
    assert thai_datetime("2025-03-05T07:03:07+00:00") == "5 มีนาคม 2568 เวลา 14:03:07 น."
    assert thai_datetime(datetime(2025, 3, 5, 7, 3, 7, tzinfo=UTC), seconds=False) == "5 มีนาคม 2568 เวลา 14:03 น."
    assert thai_date(date(2024, 2, 29)) == "29 กุมภาพันธ์ 2567"


def test_new_year_comes_seven_hours_early_in_thailand() -> None:
    assert thai_datetime("2024-12-31T18:00:00+00:00") == "1 มกราคม 2568 เวลา 01:00:00 น."
    assert thai_date(datetime(2024, 12, 31, 18, 0, tzinfo=UTC)) == "1 มกราคม 2568"
    assert thai_datetime("2024-12-31T18:00:00") == "1 มกราคม 2568 เวลา 01:00:00 น."  # no zone: UTC, as stored


def test_what_is_not_a_date_is_shown_as_it_is() -> None:
    assert thai_datetime("not a date") == "not a date"
    assert thai_datetime(None) == "" and thai_datetime("") == ""
