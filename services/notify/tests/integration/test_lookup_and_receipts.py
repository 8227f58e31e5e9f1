"""Staff look-ups of what was sent (scope, hidden bodies, audit) and the SMS gateway's delivery reports over
HTTP. Tokens are not needed here: the use case takes verified claims; the matrix covers tokens per route."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient

from contracts import registry
from contracts.claims import Claims, Role
from infra.dev.testing import serve, stop_service
from notify.intake import Intake
from notify.lookup import Forbidden, Invalid, NotFound, look_up
from notify.main import create_app
from notify.messages.model import Channel, State
from notify.messages.store import MessageStore
from notify.messages.templates import Templates
from notify.settings import Settings


class RecordedAudit:
    def __init__(self) -> None:
        self.records: list[tuple[str, str, str, str | None]] = []

    def record(self, claims: Claims, action: str, outcome: str, *, case_id: str | None = None,
               target: str | None = None) -> None:
        self.records.append((claims.sub, action, outcome, case_id or target))


@pytest.fixture
def store(mongodb_uri: str, db_name: str) -> Iterator[MessageStore]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    yield MessageStore(client[db_name])
    client.close()


def staff(role: Role, unit: str | None = None) -> Claims:
    return Claims(sub=f"{role.value}-{unit}", roles=frozenset({role}), unit_code=unit)


CASE = "c-01JF0000000000000000000001"  # district 4701, province 47


@pytest.fixture
def sent(store: MessageStore) -> MessageStore:
    Intake(store).apply(dict(registry.examples("CaseRegistered", 1))["online.json"])
    Intake(store).apply(dict(registry.examples("ReportOverdue", 1))["district-not-submitted.json"])
    return store


def test_the_district_officer_reads_what_the_debtor_was_sent(sent: MessageStore) -> None:
    audit = RecordedAudit()
    found = look_up(sent, Templates(), audit, staff(Role.DISTRICT_OFFICER, "4701"), case_id=CASE)
    by_template = {m["template"]: m for m in found}
    assert set(by_template) == {"registration_receipt", "new_case"}
    assert CASE in by_template["registration_receipt"]["body"]
    assert by_template["registration_receipt"]["state"] == "created"
    assert audit.records == [("district_officer-4701", "message.read", "allowed", CASE)]


def test_the_province_sees_the_record_but_not_the_debtors_text(sent: MessageStore) -> None:
    found = look_up(sent, Templates(), RecordedAudit(), staff(Role.PROVINCE_OFFICER, "47"), case_id=CASE)
    bodies = {m["template"]: m["body"] for m in found}
    assert bodies["registration_receipt"] is None and bodies["new_case"] is not None


def test_another_area_learns_nothing_and_the_refusal_is_audited(sent: MessageStore) -> None:
    audit = RecordedAudit()
    with pytest.raises(NotFound):
        look_up(sent, Templates(), audit, staff(Role.DISTRICT_OFFICER, "4702"), case_id=CASE)
    assert audit.records[0][2] == "denied"
    with pytest.raises(Forbidden):
        look_up(sent, Templates(), audit, staff(Role.PROVINCE_OFFICER, "48"), unit_code="4701")
    assert audit.records[1] == ("province_officer-48", "message.list", "denied", "unit:4701")
    for nobody in (staff(Role.REGISTRAR, "4701"), staff(Role.AUDITOR),
                   Claims(sub="c", roles=frozenset({Role.CITIZEN}), citizen_id="1101700230708")):
        with pytest.raises(Forbidden):
            look_up(sent, Templates(), audit, nobody, case_id=CASE)


def test_a_province_lists_its_own_and_its_districts_notices(sent: MessageStore) -> None:
    province = staff(Role.PROVINCE_OFFICER, "47")
    [own] = look_up(sent, Templates(), RecordedAudit(), province, unit_code="47")
    assert own["template"] == "report_overdue" and "4701" in own["body"]
    district = look_up(sent, Templates(), RecordedAudit(), province, unit_code="4701")
    assert {m["template"] for m in district} == {"new_case", "report_overdue", "registration_receipt"}
    with pytest.raises(Invalid):
        look_up(sent, Templates(), RecordedAudit(), province)


def test_delivery_reports_from_the_gateway(sent: MessageStore, mongodb_uri: str, db_name: str) -> None:
    sms = next(m for m in sent.for_case(CASE) if m.channel is Channel.SMS)
    now = datetime.now(UTC)
    assert [m.id for m in sent.claim(Channel.SMS, now, lease=timedelta(minutes=1))] == [sms.id]
    sent.move(sms.id, State.DELIVERED, now, provider_ref="gw-77")
    service = serve(create_app(Settings(mongodb_uri=mongodb_uri, mongodb_database=db_name, deliver=False,
                                        kafka_bootstrap_servers="127.0.0.1:1")))
    try:
        with service.client() as http:
            assert http.post("/api/v1/receipts/sms", data={"ref": "gw-77", "status": "DELIVRD"}).status_code == 401
            auth = ("notify", "dev-receipt-secret")
            wrong = http.post("/api/v1/receipts/sms", data={"ref": "gw-77", "status": "DELIVRD"},
                              auth=("notify", "guess"))
            assert wrong.status_code == 401 and wrong.json()["detail"]["code"] == "auth.required"
            assert http.post("/api/v1/receipts/sms", data={"ref": "gw-77", "status": "DELIVRD"},
                             auth=auth).status_code == 204
            stored = sent.get(sms.id)
            assert stored is not None and stored.state is State.DELIVERED and stored.receipt == "DELIVRD"
            assert http.post("/api/v1/receipts/sms", data={"ref": sms.id, "status": "UNDELIV"},
                             auth=auth).status_code == 204
            stored = sent.get(sms.id)
            assert stored is not None and stored.state is State.PERMANENT_FAILURE
            assert stored.reason == "delivery report: UNDELIV"
            assert http.post("/api/v1/receipts/sms", data={"ref": "nope", "status": "DELIVRD"},
                             auth=auth).status_code == 404
            bad = http.post("/api/v1/receipts/sms", data={"ref": "gw-77"}, auth=auth)
            assert bad.status_code == 422 and bad.json()["errors"]
    finally:
        stop_service(service)
