"""The first real path: HTTP on registration → outbox → Kafka → reporting's stream worker → the totals
topic → reporting's totals."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from confluent_kafka import Consumer

from infra.dev.testing import KafkaUnderTest, RunningService, wait_until

CITIZEN = "1101700230708"


def registration_body(citizen_id: str = CITIZEN) -> dict[str, object]:
    """The smallest complete self-registration: money as text in baht, codes as DOPA codes."""
    return {
        "channel": "self_online",
        "debtor": {
            "citizen_id": citizen_id,  # may be left out for self-registration: it comes from the token
            "phone": "0812345678",
            "address": {"line": "12 หมู่ 4", "subdistrict_code": "570101", "district_code": "5701",
                        "province_code": "57"},
        },
        "creditors": [
            {"kind": "person", "debts": [{"principal": "20,000", "outstanding": "26,000.50"}]},
            {"kind": "unknown", "debts": [{"principal": "1,000", "outstanding": "1,000"}]},
        ],
        "help_wanted": ["mediation"],
        "privacy_acknowledged": True,
    }


def read_case_events(bootstrap: str, case_id: str, timeout: float = 20.0) -> list[dict[str, object]]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"probe-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest"})
    consumer.subscribe(["case-events"])
    found: list[dict[str, object]] = []
    try:
        wait_until(lambda: _poll_for(consumer, case_id, found), timeout=timeout, interval=0)
    finally:
        consumer.close()
    return found


def _poll_for(consumer: Consumer, case_id: str, found: list[dict[str, object]]) -> bool:
    msg = consumer.poll(0.5)
    if msg is not None and not msg.error() and msg.key() == case_id.encode():
        found.append(json.loads(msg.value()))
    return bool(found)


def test_registration_reaches_reporting_totals_through_kafka(
    registration: RunningService, reporting: RunningService, kafka: KafkaUnderTest,
    token_for: Callable[[str], str], reporting_worker: object,
) -> None:
    with registration.client(token_for(f"citizen:{CITIZEN}")) as api:
        created = api.post("/api/v1/registrations", json=registration_body())
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    assert created.json()["receipt_no"].startswith("57-25")

    events = read_case_events(kafka.bootstrap, case_id)
    assert len(events) == 1
    event = events[0]
    assert event["event_type"] == "CaseRegistered" and event["district_code"] == "5701"
    assert (event["creditor_count"], event["debt_count"], event["outstanding_satang"]) == (2, 2, 2_700_050)
    assert CITIZEN not in json.dumps(event)

    with reporting.client(token_for("district_officer:5701")) as officer:
        def counted() -> bool:
            return officer.get("/api/v1/totals").json()["totals"].get("cases") == 1
        assert wait_until(counted), officer.get("/api/v1/totals").text
        totals = officer.get("/api/v1/totals").json()["totals"]
    assert totals["outstanding_satang"] == 2_700_050 and totals["creditors"] == 2


def test_registration_needs_a_valid_token(registration: RunningService, token_for: Callable[[str], str]) -> None:
    with registration.client() as anonymous:
        assert anonymous.post("/api/v1/registrations", json=registration_body()).status_code == 401
    with registration.client("not-a-jwt") as forged:
        assert forged.post("/api/v1/registrations", json=registration_body()).status_code == 401
    with registration.client(token_for("citizen:3100600445635")) as someone_else:
        assert someone_else.post("/api/v1/registrations", json=registration_body()).status_code == 403
