"""Deadline reminders go only to units that have not submitted, 3 and 1 days before the due date, once each,
with the day chosen by the test (the job's clock)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pymongo import MongoClient

from contracts import registry
from notify.intake import Intake
from notify.messages.model import Channel
from notify.messages.store import MessageStore
from notify.messages.templates import Templates
from notify.reminders.job import ReminderJob, reporting_units
from notify.reminders.submissions import Submissions

DISTRICTS = ["4701", "4702", "4703"]


@pytest.fixture
def db(mongodb_uri: str, db_name: str) -> Iterator[Any]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    yield client[db_name]
    client.close()


def submitted(unit: str, version: int = 1) -> dict[str, Any]:
    event = dict(dict(registry.examples("ReportSubmitted", 1))["district-on-time.json"])
    return event | {"unit_code": unit, "report_id": f"district:{unit}:2026-10", "report_version": version}


def returned(unit: str, version: int = 1) -> dict[str, Any]:
    event = dict(dict(registry.examples("ReportReturned", 1))["figures-incomplete.json"])
    return event | {"unit_code": unit, "report_id": f"district:{unit}:2026-10", "report_version": version}


def reminded(store: MessageStore) -> list[tuple[str, int]]:
    docs = store.messages.find({"template": "deadline_reminder"})
    return sorted((d["unit_code"], d["context"]["days_left"]) for d in docs)


def test_reminders_go_only_to_districts_that_have_not_submitted(db: Any) -> None:
    store, submissions = MessageStore(db), Submissions(db)
    intake = Intake(store, submissions=submissions)
    job = ReminderJob(store, submissions, clock=lambda: datetime.now(UTC),
                      units=lambda level: DISTRICTS if level == "district" else ["47"])
    intake.apply(submitted("4701"))
    intake.apply(submitted("4702"))
    intake.apply(returned("4702"))  # sent back for correction: no longer in
    intake.apply(submitted("4702"))  # a redelivered v1 submission does not undo the return

    assert job.run(date(2026, 11, 26)) == 0, "four days before: nothing"
    assert job.run(date(2026, 11, 27)) == 2
    assert job.run(date(2026, 11, 27)) == 0, "the job ran again the same day: nothing twice"
    assert reminded(store) == [("4702", 3), ("4703", 3)]

    intake.apply(submitted("4703"))
    intake.apply(submitted("4702", version=2))
    assert job.run(date(2026, 11, 29)) == 0, "one day before, everybody is in"
    assert job.run(date(2026, 12, 3)) == 1, "three days before the 6th: the province has not submitted"
    assert reminded(store) == [("47", 3), ("4702", 3), ("4703", 3)]

    [message] = [m for m in store.for_unit("4702") if m.template == "deadline_reminder"]
    rendered = Templates().render(message.template, Channel.EMAIL, message.context)
    assert rendered.subject == "เตือน: รายงานประจำเดือน ตุลาคม 2569 ครบกำหนดอีก 3 วัน"
    assert "30 พฤศจิกายน 2569" in rendered.text


def test_every_reporting_unit_is_known() -> None:
    assert len(reporting_units("province")) == 77
    districts = reporting_units("district")
    assert len(districts) > 900 and "4701" in districts and "1001" in districts
