"""When reminders fall due: 3 and 1 days before the 30th (districts; February's last day) and the 6th."""

from __future__ import annotations

from datetime import date

from notify.reminders.deadlines import days_between, due_date, reminders_due


def test_due_dates_follow_reportings_rule() -> None:
    assert due_date("2026-10", "district") == date(2026, 11, 30)
    assert due_date("2026-10", "province") == date(2026, 12, 6)
    assert due_date("2027-01", "district") == date(2027, 2, 28)
    assert due_date("2027-11", "province") == date(2028, 1, 6)


def test_over_a_whole_year_each_unit_level_is_reminded_twice_a_month() -> None:
    found = [(d, due) for d in days_between(date(2026, 10, 1), date(2027, 9, 30)) for due in reminders_due(d)]
    for level in ("district", "province"):
        mine = [(d, due) for d, due in found if due.level == level]
        assert len(mine) == 24
        assert all((due.due - d).days == due.days_left and due.days_left in (3, 1) for d, due in mine)
    assert [(d, due.days_left) for d, due in found if due.period == "2027-01" and due.level == "district"] == [
        (date(2027, 2, 25), 3), (date(2027, 2, 27), 1)]


def test_reminder_ids_are_stable_per_unit_period_and_day() -> None:
    [due] = reminders_due(date(2026, 11, 27))
    assert due.reminder_id("4701") == due.reminder_id("4701") != due.reminder_id("4702")
    [later] = reminders_due(date(2026, 11, 29))
    assert later.reminder_id("4701") != due.reminder_id("4701")
