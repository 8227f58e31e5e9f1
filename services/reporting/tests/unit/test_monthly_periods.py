"""Periods of the Thai fiscal year, cut-off and due dates, timeliness (reporting.monthly.periods)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reporting.monthly.periods import BANGKOK, BadPeriod, Period, fiscal_year_periods, thai_date, timeliness


def test_october_opens_the_next_fiscal_year_with_buddhist_era_labels() -> None:
    october = Period.parse("2026-10")
    assert (october.fiscal_year, october.label_th, october.label_en) == (2570, "ตุลาคม 2569", "October 2026")
    assert Period.parse("2027-09").fiscal_year == 2570
    assert Period.parse("2026-09").fiscal_year == 2569
    months = fiscal_year_periods(2570)
    assert [p.key for p in (months[0], months[2], months[3], months[-1])] == ["2026-10", "2026-12", "2027-01",
                                                                             "2027-09"]
    assert len(months) == 12


@pytest.mark.parametrize("key", ["2026-13", "2026-1", "26-10", "2026-00", "", "2026-10-01", "0000-01", "9999-12"])
def test_only_year_month_keys_are_periods(key: str) -> None:
    with pytest.raises(BadPeriod):
        Period.parse(key)


@pytest.mark.parametrize(("period", "district_due", "province_due"), [
    ("2026-10", date(2026, 11, 30), date(2026, 12, 6)),
    ("2026-12", date(2027, 1, 30), date(2027, 2, 6)),
    ("2027-01", date(2027, 2, 28), date(2027, 3, 6)),  # February has no 30th: its last day
    ("2027-12", date(2028, 1, 30), date(2028, 2, 6)),
    ("2028-01", date(2028, 2, 29), date(2028, 3, 6)),  # leap year
    ("2027-09", date(2027, 10, 30), date(2027, 11, 6)),  # the fiscal year's last month
])
def test_due_dates(period: str, district_due: date, province_due: date) -> None:
    p = Period.parse(period)
    assert p.due_date("district") == district_due
    assert p.due_date("province") == province_due
    assert p.due_date("district") < p.due_date("province")


def test_cut_off_is_the_end_of_the_last_day_in_bangkok() -> None:
    october = Period.parse("2026-10")
    assert not october.closed(datetime(2026, 10, 31, 23, 59, tzinfo=BANGKOK))
    assert october.closed(datetime(2026, 11, 1, 0, 0, tzinfo=BANGKOK))
    assert not october.closed(datetime(2026, 10, 31, 16, 59, tzinfo=UTC))  # 23:59 in Bangkok
    assert october.closed(datetime(2026, 10, 31, 17, 0, tzinfo=UTC))
    assert october.days()[0] == "2026-10-01" and october.days()[-1] == "2026-10-31" and len(october.days()) == 31
    assert len(Period.parse("2028-02").days()) == 29


def test_on_time_until_the_end_of_the_due_day_in_bangkok() -> None:
    october = Period.parse("2026-10")
    assert timeliness(datetime(2026, 11, 30, 23, 59, 59, tzinfo=BANGKOK), october, "district") == "on_time"
    assert timeliness(datetime(2026, 11, 30, 16, 59, 59, tzinfo=UTC), october, "district") == "on_time"
    assert timeliness(datetime(2026, 11, 30, 17, 0, 0, tzinfo=UTC), october, "district") == "late"
    assert timeliness(datetime(2026, 12, 6, 23, 59, tzinfo=BANGKOK), october, "province") == "on_time"
    assert timeliness(datetime(2026, 12, 7, 0, 0, tzinfo=BANGKOK), october, "province") == "late"


def test_thai_dates_and_neighbouring_periods() -> None:
    assert thai_date(date(2026, 11, 30)) == "30 พฤศจิกายน 2569"
    assert Period.parse("2026-12").following(1).key == "2027-01"
    assert Period.parse("2027-01").following(-1).key == "2026-12"
    assert Period.containing(datetime(2026, 10, 31, 18, 0, tzinfo=UTC)).key == "2026-11"  # 01:00 on 1 Nov in Bangkok
