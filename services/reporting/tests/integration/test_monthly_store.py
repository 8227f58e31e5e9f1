"""The monthly cycle on the real stack: reports and their events in one MongoDB transaction, the outbox relay
publishing them to the real broker, overdue flags kept across calls."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from confluent_kafka import Consumer
from pymongo import MongoClient

from contracts import codec
from contracts.claims import Claims, Role
from infra.dev.testing import KafkaUnderTest
from reporting.monthly.areas import Areas
from reporting.monthly.cycle import MonthlyCycle
from reporting.monthly.periods import BANGKOK, Period
from reporting.monthly.report import Report
from reporting.monthly.store import MongoReports, StaleReport
from reporting.outbox import Outbox, OutboxRelay
from reporting.totals.districts import TotalsRow
from reporting.totals.rollup import RollUp

OCTOBER = Period.parse("2026-10")
DO_4701 = Claims(sub="do-4701", roles=frozenset({Role.DISTRICT_OFFICER}), unit_code="4701")
PO_47 = Claims(sub="po-47", roles=frozenset({Role.PROVINCE_OFFICER}), unit_code="47")


class Totals:
    def __init__(self) -> None:
        self.rollup = RollUp()

    def figures(self, level: str, code: str, day: str | None = None) -> dict[str, int]:
        return self.rollup.figures(level, code, day)

    def days(self, level: str, code: str) -> list[str]:
        return self.rollup.days(level, code)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 9, 0, tzinfo=BANGKOK)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def mongo(mongodb_uri: str) -> Iterator[MongoClient[dict[str, object]]]:
    client: MongoClient[dict[str, object]] = MongoClient(mongodb_uri, tz_aware=True)
    yield client
    client.close()


def read_events(bootstrap: str, event_ids: set[str], timeout: float = 30.0) -> list[codec.Event]:
    """These events from report-events, in the topic's order (other tests publish there too)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"t-{uuid.uuid4().hex[:8]}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe(["report-events"])
    found: list[codec.Event] = []
    deadline = datetime.now().timestamp() + timeout
    try:
        while len(found) < len(event_ids) and datetime.now().timestamp() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            event = codec.decode(msg.value())
            if event["event_id"] in event_ids:
                found.append(event)
    finally:
        consumer.close()
    return found


def test_reports_and_events_commit_together_and_reach_the_broker(
        mongo: MongoClient[dict[str, object]], db_name: str, kafka: KafkaUnderTest) -> None:
    db = mongo[db_name]
    outbox = Outbox(db, "monthly_outbox")
    store = MongoReports(db, outbox)  # type: ignore[arg-type]
    store.ensure_indexes()
    totals, clock = Totals(), Clock()
    totals.rollup.apply(TotalsRow("4701", None, 1, {"registrants": 10, "debt_reduced_satang": 250_00}))
    totals.rollup.apply(TotalsRow("4701", "2026-10-09", 1, {"registrations": 3}))
    cycle = MonthlyCycle(store, lambda: totals, Areas(), clock)

    cycle.submit(DO_4701, "4701", OCTOBER)
    totals.rollup.apply(TotalsRow("4701", None, 2, {"registrants": 50, "debt_reduced_satang": 999_00}))
    stored = store.get("district:4701:2026-10")
    assert stored is not None and stored.submissions[0].figures == {"registrants": 10, "debt_reduced_satang": 25_000}
    assert stored.submissions[0].activity == {"registrations": 3}
    assert stored.submissions[0].submitted_at == clock.now

    clock.now = datetime(2026, 12, 1, 10, 0, tzinfo=BANGKOK)
    cycle.return_(PO_47, "4701", OCTOBER, "กรุณาตรวจสอบยอดหนี้ที่ลดลง")
    cycle.submit(DO_4701, "4701", OCTOBER)
    again = store.get("district:4701:2026-10")
    assert again is not None
    assert [(s.version, s.timeliness, s.figures["registrants"]) for s in again.submissions] == [
        (1, "on_time", 10), (2, "late", 50)]
    assert [(r.version, r.reason) for r in again.returns] == [(1, "กรุณาตรวจสอบยอดหนี้ที่ลดลง")]
    assert [r.id for r in store.of_period(OCTOBER, "47")] == ["district:4701:2026-10"]

    # A stale write changes nothing: neither the report nor the outbox.
    before = outbox.events.count_documents({})
    with pytest.raises(StaleReport):
        store.save(Report("4701", OCTOBER, "returned", revision=2), [], clock.now)
    with pytest.raises(StaleReport):
        store.save(Report("4701", OCTOBER, "submitted", revision=1), [], clock.now)  # a second "first" write
    assert outbox.events.count_documents({}) == before == 3
    assert store.get("district:4701:2026-10") == again

    ours = {str(doc["_id"]) for doc in outbox.events.find({}, {"_id": 1})}
    relay = OutboxRelay(outbox, kafka.bootstrap)
    try:
        assert relay.publish_pending() == 3
        assert relay.publish_pending() == 0  # marked sent
    finally:
        relay.stop()
    mine = read_events(kafka.bootstrap, ours)
    assert [(e["event_type"], e.get("report_version")) for e in mine] == [
        ("ReportSubmitted", 1), ("ReportReturned", 1), ("ReportSubmitted", 2)]


def test_overdue_is_flagged_once_across_calls(mongo: MongoClient[dict[str, object]], db_name: str) -> None:
    db = mongo[db_name]
    store = MongoReports(db, Outbox(db, "monthly_outbox"))  # type: ignore[arg-type]
    store.ensure_indexes()
    clock = Clock()
    clock.now = datetime(2026, 12, 1, 0, 5, tzinfo=BANGKOK)
    cycle = MonthlyCycle(store, Totals, Areas(), clock)
    first = cycle.check_overdue(OCTOBER)
    assert first == 928  # every district of the country; provinces are not due before 6 December
    assert MonthlyCycle(store, Totals, Areas(), clock).check_overdue(OCTOBER) == 0  # a restarted process too
    clock.now = datetime(2026, 12, 7, 0, 5, tzinfo=BANGKOK)
    assert cycle.check_overdue(OCTOBER) == 77
    kinds = {doc["event"]["event_type"] for doc in db["monthly_outbox"].find({})}
    assert kinds == {"ReportOverdue"}
    assert db["monthly_outbox"].count_documents({}) == 928 + 77
