"""Reconciliation on the dev stack: registrations and casework through registration's API, its figures export
read with the reporting service's client-credentials token from the real Keycloak, the totals recomputed from
it equal the expected figures and what the stream's code makes of the very events registration published; a
deliberately wrong view is reported by unit and figure and stored in MongoDB; and the reporting app runs a
reconciliation on request (202) and shows it through its API and metrics."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from confluent_kafka.admin import AdminClient, NewTopic
from pymongo import MongoClient

from infra.dev.testing import KafkaUnderTest, KeycloakStack, RunningService, registration_site, serve, stop_service
from reporting.main import create_app
from reporting.reconcile.client import ClientCredentials, RegistrationExport
from reporting.reconcile.compare import Difference, differences
from reporting.reconcile.job import Reconciliation
from reporting.reconcile.recompute import recompute
from reporting.reconcile.result import RunResult
from reporting.reconcile.settings import ReconcileSettings
from reporting.reconcile.store import ResultStore
from reporting.settings import Settings
from reporting.totals.cases import apply_case_event, change_from_json
from reporting.totals.districts import Districts
from reporting.totals.figures import NATION
from reporting.totals.rollup import RollUp

Token = Callable[[str], str]
OFFICER = "district_officer:4701"
DEBT = {"principal": "20,000", "outstanding": "26,000.50", "interest_rate": "20", "interest_period": "month"}


def citizen_id(n: int) -> str:
    first12 = f"3{n:011d}"
    return first12 + str((11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10)


def registration_body() -> dict[str, Any]:
    return {"channel": "self_online", "privacy_acknowledged": True, "help_wanted": ["mediation"],
            "debtor": {"phone": "0812345678", "address": {"line": "99 หมู่ 3", "subdistrict_code": "470101",
                                                           "district_code": "4701", "province_code": "47"}},
            "creditors": [{"kind": "person", "name": "เจ๊หน่อย", "debts": [DEBT]},
                          {"kind": "unknown", "debts": [{"principal": 5000, "outstanding": 5000}]}]}


def today() -> str:
    return datetime.now(ZoneInfo("Asia/Bangkok")).date().isoformat()


class Registration:
    def __init__(self, service: RunningService, token_for: Token) -> None:
        self.service, self.token_for = service, token_for

    def register(self, n: int) -> str:
        with self.service.client(self.token_for(f"citizen:{citizen_id(n)}")) as citizen:
            created = citizen.post("/api/v1/registrations", json=registration_body())
        assert created.status_code == 201, created.text
        case_id: str = created.json()["case_id"]
        return case_id

    def work(self, persona: str, case_id: str, path: str, **values: Any) -> None:
        with self.service.client(self.token_for(persona)) as officer:
            revision = officer.get(f"/api/v1/casework/cases/{case_id}").json()["revision"]
            answer = officer.post(f"/api/v1/casework/cases/{case_id}{path}", json={"revision": revision, **values})
        assert answer.status_code == 200, answer.text


class LiveView:
    """The TotalsView interface over a RollUp."""

    def __init__(self, rollup: RollUp) -> None:
        self.rollup, self.ready = rollup, True

    def figures(self, level: str, code: str, day: str | None = None) -> dict[str, int]:
        return self.rollup.figures(level, NATION if level == "nation" else code, day)

    def units(self, level: str, parent: str = "") -> list[str]:
        return sorted({c for (lv, c, d) in self.rollup.sums if lv == level and d is None and c.startswith(parent)})


def streamed(events: list[dict[str, Any]]) -> LiveView:
    """The events through the stream's own pure functions (what the worker and the view do)."""
    records: dict[str, Any] = {}
    districts, rollup = Districts({}, {}), RollUp()
    for event in events:
        applied = apply_case_event(records, event)
        assert applied is not None
        for change in applied[1]:
            rollup.apply(districts.apply(change_from_json(change.as_json()))[1])
    return LiveView(rollup)


@pytest.fixture
def registration(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack,
                 db_name: str) -> Iterator[RunningService]:
    with registration_site(kafka, mongodb_uri, keycloak_server, mongodb_database=f"reg_{db_name}") as service:
        yield service


@pytest.fixture
def cases(registration: RunningService, token_for: Token) -> list[str]:
    """Four cases of 4701: one contacted and wanting mediation, one withdrawn, one moved to 4801 (another
    province), one moved to 4702 (the same province)."""
    reg = Registration(registration, token_for)
    ids = [reg.register(9100 + n) for n in range(4)]
    reg.work(OFFICER, ids[0], "/contacts", method="phone", result="reached", contacted_on=today())
    reg.work(OFFICER, ids[0], "/decision", decision="wants_mediation")
    reg.work(OFFICER, ids[1], "/withdraw", note="ลูกหนี้ขอยุติเรื่อง")
    for case_id, to in ((ids[2], "4801"), (ids[3], "4702")):
        reg.work(OFFICER, case_id, "/transfer", to_district_code=to)
        reg.work(f"district_officer:{to}", case_id, "/transfer/accept")
    return ids


def export_of(registration: RunningService, keycloak: KeycloakStack) -> RegistrationExport:
    credentials = ClientCredentials(keycloak.issuer, "debt-reporting", keycloak.secrets.clients["debt-reporting"])
    return RegistrationExport(registration.url, credentials)


def published(mongodb_uri: str, db_name: str) -> list[dict[str, Any]]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    try:
        return [o["event"] for o in client[f"reg_{db_name}"]["outbox"].find({"topic": "case-events"}).sort("seq", 1)]
    finally:
        client.close()


def test_totals_recomputed_through_the_api_are_the_expected_ones_and_a_wrong_view_is_reported(
    registration: RunningService, cases: list[str], keycloak_server: KeycloakStack, mongodb_uri: str, db_name: str,
) -> None:
    export = export_of(registration, keycloak_server)
    recomputed = recompute(export.lines())

    assert recomputed.cases == 4 and recomputed.refused == []
    nation = recomputed.figures("nation", "")
    per_case = {"creditors": 2, "debts": 2, "principal_satang": 2_500_000, "outstanding_satang": 3_100_050}
    assert {name: nation[name] for name in per_case} == {name: 4 * v for name, v in per_case.items()}
    assert (nation["registrants"], nation["registrants_self_online"], nation["contacted"], nation["wants_mediation"],
            nation["closed"], nation["transfers_in"], nation["transfers_out"], nation["excessive_interest"]) == (
            4, 4, 1, 1, 1, 2, 2, 4)
    assert recomputed.figures("province", "47")["registrants"] == 3
    assert recomputed.figures("province", "48") == {
        "registrants": 1, "registrants_self_online": 1, **per_case, "transfers_in": 1,
        "transfers_in_other_province": 1, "excessive_interest": 1}
    assert recomputed.figures("district", "4701")["transfers_out"] == 2
    assert recomputed.figures("district", "4702")["transfers_in"] == 1
    # The same figures as the stream's code makes of the events registration published for these cases.
    events = published(mongodb_uri, db_name)
    assert len(events) == 4 + 3 + 4  # registrations; contact, decision, withdrawal; two transfers of two events
    assert differences(recomputed, streamed(events)) == []

    # A deliberately wrong view: 4801's debts and contacts off. Reported at the district, province and nation,
    # confirmed by the second read, and stored as the last result.
    wrong = streamed(events)
    row = wrong.rollup.rows["district:4801"]
    wrong.rollup.apply(replace(row, version=row.version + 1, figures={**row.figures, "debts": 7, "contacted": 1}))
    mongo: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    try:
        store = ResultStore(mongo[f"rep_{db_name}"])
        store.ensure_indexes()
        started = RunResult(uuid.uuid4().hex, "request", datetime.now(UTC))
        result = Reconciliation(export, wrong, store, settle_seconds=0.1).run(started)
        assert (result.outcome, result.reads, result.cases_read, result.unsettled) == ("succeeded", 2, 4, [])
        assert result.differences == [
            Difference("nation", "", "debts", 8, 13), Difference("nation", "", "contacted", 1, 2),
            Difference("province", "48", "debts", 2, 7), Difference("province", "48", "contacted", 0, 1),
            Difference("district", "4801", "debts", 2, 7), Difference("district", "4801", "contacted", 0, 1)]
        last = store.last()
        assert last is not None and last.run_id == started.run_id and last.differences == result.differences
        assert last.duration_s is not None and last.duration_s > 0
    finally:
        mongo.close()


def fresh_topic(kafka: KafkaUnderTest) -> str:
    name = f"totals-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap})  # kept until the topic exists
    for future in admin.create_topics([NewTopic(name, 1, 1)]).values():
        future.result(timeout=30)
    return name


def test_the_reporting_app_reconciles_on_request_and_shows_the_result(
    kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack, registration: RunningService,
    cases: list[str], token_for: Token, db_name: str,
) -> None:
    settings = Settings(kafka_bootstrap_servers=kafka.bootstrap, mongodb_uri=mongodb_uri,
                        oidc_issuer_url=keycloak_server.issuer, mongodb_database=f"rep_{db_name}",
                        totals_topic=fresh_topic(kafka))  # empty: no worker runs here, so every figure differs
    app = create_app(settings)
    app.state.reconcile_settings = ReconcileSettings(
        registration_url=registration.url, client_secret=keycloak_server.secrets.clients["debt-reporting"],
        interval_seconds=0, settle_seconds=0.2)
    reporting = serve(app)
    try:
        assert app.state.totals_view.wait_ready(30)
        with reporting.client(token_for("dopa_admin")) as dopa:
            assert reporting.client(token_for("province_officer:47")).post("/api/v1/reconciliation").status_code == 403
            answer = dopa.post("/api/v1/reconciliation")
            assert answer.status_code == 202 and answer.json()["started"] is True
            run_id = answer.json()["run_id"]
            last = wait_for_run(dopa, run_id)
        assert (last["outcome"], last["reads"], last["cases_read"], last["unsettled_total"]) == ("succeeded", 2, 4, 0)
        found = {(d["level"], d["code"], d["figure"]): (d["expected"], d["live"]) for d in last["differences"]}
        assert found[("nation", "", "registrants")] == (4, 0)
        assert found[("province", "48", "transfers_in_other_province")] == (1, 0)
        assert found[("district", "4702", "transfers_in")] == (1, 0)
        with reporting.client(token_for("province_officer:48")) as province:
            mine = province.get("/api/v1/reconciliation").json()["last"]
        assert {(d["level"], d["code"]) for d in mine["differences"]} == {("province", "48"), ("district", "4801")}
        metrics = httpx.get(f"{reporting.url}/metrics", timeout=10).text
        assert 'reconciliation_differences{level="district"}' in metrics
        assert "reconciliation_last_success_timestamp_seconds" in metrics
    finally:
        stop_service(reporting)


def wait_for_run(client: httpx.Client, run_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get("/api/v1/reconciliation").json()
        if body["last"] is not None and body["last"]["run_id"] == run_id:
            last: dict[str, Any] = body["last"]
            return last
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish: {body}")
