"""The monthly cycle end to end on the real stack: case events on the real broker → the Faust worker → the
``totals`` topic → the web process's TotalsView → a district submits over the API with a real Keycloak token →
the snapshot stays frozen while new events arrive → the province returns it → the district resubmits → the three
events reach ``report-events`` through the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from confluent_kafka import Consumer, Producer

from contracts import codec, registry
from infra.dev.testing import KafkaUnderTest, RunningService, serve, stop_service, wait_until
from reporting.main import create_app
from reporting.settings import Settings

# ภูพาน (4718): a district no other test registers cases in, so its figures are this test's alone.
REPORT = "/api/v1/reports/4718/2026-10"


@pytest.fixture
def reporting(kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str,
              reporting_worker: object) -> Iterator[RunningService]:
    settings = Settings(kafka_bootstrap_servers=kafka.bootstrap, mongodb_uri=mongodb_uri, oidc_issuer_url=issuer_url,
                        mongodb_database=f"rep_{db_name}")
    service = serve(create_app(settings))
    # Ready once the view has read the session's totals topic (other tests' cases are in it).
    assert wait_until(lambda: httpx.get(f"{service.url}/readyz", timeout=5).status_code == 200, timeout=90)
    yield service
    stop_service(service)


def register_case(bootstrap: str, district: str = "4718") -> None:
    """A registration in October 2026 (Bangkok), straight onto ``case-events`` as registration would send it."""
    example = dict(registry.examples("CaseRegistered", 1))["thaid-with-facts.json"]
    event = {**example, "event_id": str(uuid.uuid4()), "case_id": f"c-monthly-{uuid.uuid4().hex[:12]}",
             "occurred_at": "2026-10-15T10:00:00+07:00", "province_code": district[:2], "district_code": district}
    key, value, headers = codec.encode("case-events", event)
    producer = Producer({"bootstrap.servers": bootstrap})
    producer.produce("case-events", value=value, key=key, headers=headers)
    assert producer.flush(10) == 0
    producer.close()


def report_events(bootstrap: str, report_id: str, want: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"t-{uuid.uuid4().hex[:8]}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe(["report-events"])
    found: list[dict[str, Any]] = []
    try:
        wait_until(lambda: _poll(consumer, report_id, found) >= want, timeout=timeout, interval=0)
    finally:
        consumer.close()
    return found


def _poll(consumer: Consumer, report_id: str, found: list[dict[str, Any]]) -> int:
    msg = consumer.poll(0.5)
    if msg is not None and not msg.error():
        event = codec.decode(msg.value())
        if event["report_id"] == report_id:
            found.append(event)
    return len(found)


def settled(client: httpx.Client) -> int:
    """The district's registrants once the worker has caught up with earlier tests' cases (no change for 2 s)."""
    seen = [live(client)]

    def still() -> bool:
        seen.append(live(client))
        return seen[-1] == seen[-2]

    assert wait_until(still, timeout=60, interval=2.0), "the totals kept moving"
    return seen[-1]


def live(client: httpx.Client) -> int:
    body = client.get(REPORT).json()
    return int(body["live_figures"].get("registrants", 0))


def test_submit_freeze_return_resubmit_on_the_real_stack(
        reporting: RunningService, kafka: KafkaUnderTest, token_for: Callable[[str], str]) -> None:
    district = reporting.client(token_for("district_officer:4718"))
    province = reporting.client(token_for("province_officer:47"))
    assert reporting.client(token_for("district_officer:4702")).get(REPORT).status_code == 403
    assert reporting.client().get(REPORT).status_code == 401

    assert wait_until(lambda: district.get(REPORT).status_code == 200, timeout=30)
    before = settled(district)
    register_case(kafka.bootstrap)
    assert wait_until(lambda: live(district) == before + 1, timeout=120), "the case never reached the totals"

    first = district.post(f"{REPORT}/submit")
    assert first.status_code == 200, first.text
    snapshot = first.json()["submissions"][0]
    assert snapshot["figures"]["registrants"] == before + 1
    assert snapshot["activity"]["registrations"] >= 1
    assert snapshot["timeliness"] == "late"  # October's district reports were due on 30 November 2026
    assert district.post(f"{REPORT}/submit").json()["detail"]["code"] == "report.already_submitted"

    register_case(kafka.bootstrap)  # a later event: the live totals move, the submission does not
    assert wait_until(lambda: live(district) == before + 2, timeout=60)
    assert district.get(REPORT).json()["submissions"][0]["figures"]["registrants"] == before + 1

    refused = province.post(f"{REPORT}/return", json={"reason": "incomplete"})
    assert refused.status_code == 422 and refused.json()["detail"]["code"] == "reason.thai"
    returned = province.post(f"{REPORT}/return", json={"reason": "กรุณาตรวจสอบจำนวนผู้ลงทะเบียนอีกครั้ง"})
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    again = district.post(f"{REPORT}/submit").json()
    assert [(s["version"], s["figures"]["registrants"]) for s in again["submissions"]] == [
        (1, before + 1), (2, before + 2)]

    board = province.get("/api/v1/reports/completeness", params={"period": "2026-10"}).json()
    row = next(r for r in board["rows"] if r["unit_code"] == "4718")
    assert (row["state"], row["timeliness"]) == ("submitted", "late")
    assert board["expected"] == 18  # Sakon Nakhon's districts

    events = report_events(kafka.bootstrap, "district:4718:2026-10", 3)
    assert [(e["event_type"], e.get("report_version")) for e in events[:3]] == [
        ("ReportSubmitted", 1), ("ReportReturned", 1), ("ReportSubmitted", 2)]
    assert events[1]["reason"] == "กรุณาตรวจสอบจำนวนผู้ลงทะเบียนอีกครั้ง"
