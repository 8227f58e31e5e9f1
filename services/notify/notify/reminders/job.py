"""The reminder job: for a Bangkok date, store a reminder for every unit that has not submitted a report
falling due in 3 or 1 days. Idempotent (stable ids), so it can run every hour and after any restart; the clock
is passed in so tests (and a catch-up after downtime) choose the day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import geothai

from notify.messages.model import Channel, Message, Planned
from notify.messages.store import MessageStore
from notify.reminders.deadlines import reminders_due
from notify.reminders.submissions import Submissions


def reporting_units(level: str) -> list[str]:
    """Every unit that reports (the same geothai data reporting expects reports from)."""
    provinces = [p.code for p in geothai.provinces()]
    if level == "province":
        return provinces
    return [d.code for p in provinces for d in geothai.districts(p)]


class ReminderJob:
    def __init__(self, store: MessageStore, submissions: Submissions, *, clock: Callable[[], datetime],
                 units: Callable[[str], list[str]] = reporting_units) -> None:
        self.store, self.submissions, self.clock, self.units = store, submissions, clock, units

    def run(self, today: date) -> int:
        """Stores today's reminders; returns how many were new."""
        now, messages = self.clock(), []
        for due in reminders_due(today):
            done = self.submissions.submitted(due.level, due.period)
            for unit in self.units(due.level):
                if unit in done:
                    continue
                context: dict[str, Any] = {"unit_code": unit, "period": due.period, "level": due.level,
                                           "due_date": due.due.isoformat(), "days_left": due.days_left}
                event = {"event_id": due.reminder_id(unit), "event_type": "DeadlineReminder"}
                planned = Planned("deadline_reminder", Channel.EMAIL, f"unit:{unit}", context, unit_code=unit)
                messages.append(Message.from_plan(event, planned, now))
        return self.store.add_all(messages)
