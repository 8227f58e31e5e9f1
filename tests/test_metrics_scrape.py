"""A little traffic through every service, then each service's /metrics is scraped and every metric the issue asks
for is there with sensible labels: HTTP rate and latency by route template and status, outbox backlog and age,
consumer lag per group and partition, registrations by channel, monthly reports by state with the units past
their deadline, notifications by channel and state, reconciliation.

The four services run in this one test process, so they share prometheus_client's registry: each service's
/metrics also carries the others' series. Each check therefore reads the series a service labels as its own
(``service=...``) or only it produces, on that service's scrape, and compares values before and after the
traffic rather than absolute counts.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from contracts import registry
from infra.dev.testing import (
    KafkaUnderTest,
    KeycloakStack,
    RunningService,
    identity_settings,
    reporting_site,
    serve,
    stop_service,
    wait_until,
)
from registration.kernel.thai import citizen_id_check_digit
from reporting.monthly.periods import Period

Samples = list[tuple[str, dict[str, str], float]]
CITIZEN = "1101700230708"


def scrape(service: RunningService) -> Samples:
    with service.client() as http:
        page = http.get("/metrics")
    assert page.status_code == 200
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(page.text)
            for s in family.samples]


def partitions(topic: str) -> list[int]:
    return list(range(registry.topic(topic).partitions))


def pick(samples: Samples, name: str, **labels: str) -> list[tuple[dict[str, str], float]]:
    return [(found, value) for series, found, value in samples
            if series == name and all(found.get(k) == v for k, v in labels.items())]


def total(samples: Samples, name: str, **labels: str) -> float:
    return sum(value for _, value in pick(samples, name, **labels))


def self_registration() -> dict[str, Any]:
    return {"channel": "self_online",
            "debtor": {"phone": "0812345678", "address": {"line": "12 หมู่ 4", "subdistrict_code": "570401",
                                                          "district_code": "5704", "province_code": "57"}},
            "creditors": [{"kind": "person", "debts": [{"principal": "20,000", "outstanding": "26,000.50"}]}],
            "help_wanted": ["mediation"], "privacy_acknowledged": True}


def desk_registration() -> dict[str, Any]:
    first12 = f"5{time.time_ns() % 10**6:06d}{uuid.uuid4().int % 10**5:05d}"
    return {"channel": "desk",
            "debtor": {"citizen_id": first12 + str(citizen_id_check_digit(first12)), "title": "นาง",
                       "given_name": "สมศรี", "family_name": "ใจดี", "birth_date": "12/03/2520",
                       "phone": "0812345678",
                       "address": {"line": "99 หมู่ 3", "subdistrict_code": "470101", "district_code": "4701",
                                   "province_code": "47", "postal_code": "47000"}},
            "creditors": [{"kind": "person", "debts": [{"principal": "20,000", "outstanding": "26,000.50"}]}],
            "help_wanted": ["mediation"], "privacy_acknowledged": True}


@pytest.fixture
def identity_consuming(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack,
                       identity: RunningService, db_name: str, tmp_path: Path) -> Iterator[tuple[RunningService, str]]:
    """identity with its audit consumer (Kafka configured, as in production), in a consumer group of its own."""
    from identity.main import create_app

    group = f"identity-{uuid.uuid4().hex[:8]}"
    with keycloak_server.identity_port_lease() as port:
        settings = identity_settings(keycloak_server, mongodb_uri, tmp_path / "keys", port=port,
                                     mongodb_database=f"idn_{db_name}", kafka_bootstrap_servers=kafka.bootstrap,
                                     consumer_group=group)
        service = serve(create_app(settings), port)
        yield service, group
        stop_service(service)


@pytest.fixture
def tracked_month(monkeypatch: pytest.MonkeyPatch) -> Period:
    """Two months ago: closed and past the districts' deadline. The overdue check tracks from the month before it
    (past the provinces' deadline too), so the test does not depend on where in the fiscal year today falls."""
    month = Period.containing(datetime.now(UTC)).following(-2)
    monkeypatch.setenv("REPORTING_MONTHLY_FIRST_PERIOD", month.following(-1).key)
    return month


@pytest.fixture
def reporting_tracking(tracked_month: Period, kafka: KafkaUnderTest, mongodb_uri: str,
                       keycloak_server: KeycloakStack, identity: RunningService, db_name: str
                       ) -> Iterator[RunningService]:
    with reporting_site(kafka, mongodb_uri, keycloak_server, mongodb_database=f"rep_{db_name}") as service:
        yield service


def test_every_service_exposes_the_metrics_operations_needs_after_traffic(
    identity_consuming: tuple[RunningService, str], registration: RunningService,
    reporting_tracking: RunningService, notify: RunningService, tracked_month: Period,
    token_for: Callable[[str], str],
) -> None:
    identity_service, identity_group = identity_consuming
    services = {"identity": identity_service, "registration": registration, "reporting": reporting_tracking,
                "notify": notify}
    before = {name: scrape(service) for name, service in services.items()}

    # --- traffic ---------------------------------------------------------------------------------------------
    with registration.client(token_for(f"citizen:{CITIZEN}")) as citizen:
        created = citizen.post("/api/v1/registrations", json=self_registration())
    assert created.status_code == 201, created.text
    with registration.client(token_for("registrar:4701")) as desk:
        at_desk = desk.post("/api/v1/registrations", json=desk_registration())
    assert at_desk.status_code == 201, at_desk.text
    with reporting_tracking.client(token_for("district_officer:5704")) as district:
        submitted = district.post(f"/api/v1/reports/5704/{tracked_month.key}/submit")
    assert submitted.status_code == 200, submitted.text
    for service in services.values():
        with service.client() as http:
            assert http.get("/healthz").status_code == 200

    after = {name: scrape(service) for name, service in services.items()}

    # --- HTTP, everywhere: by route template and status, and a latency histogram -------------------------------
    for name, samples in after.items():
        assert pick(samples, "http_requests_total", service=name, method="GET", route="/healthz", status="200")
        buckets = pick(samples, "http_request_duration_seconds_bucket", service=name, route="/healthz")
        assert {labels["le"] for labels, _ in buckets} >= {"0.005", "1.0", "+Inf"}
    posted = pick(after["registration"], "http_requests_total", service="registration", method="POST")
    assert {labels["route"] for labels, _ in posted} >= {"/api/v1/registrations"}
    case_id = created.json()["case_id"]
    assert not [labels for _, labels, _ in after["registration"] if case_id in str(labels)], "raw paths as labels"
    assert pick(after["reporting"], "http_requests_total", service="reporting", method="POST",
                route="/api/v1/reports/{unit_code}/{period}/submit", status="200")

    # --- registration: by channel; its outbox's backlog --------------------------------------------------------
    reg, reg_before = after["registration"], before["registration"]
    for channel in ("self_online", "desk"):
        assert total(reg, "registrations_total", channel=channel) == \
            total(reg_before, "registrations_total", channel=channel) + 1, channel
    assert {labels["channel"] for labels, _ in pick(reg, "registrations_total")} == {
        "self_online", "thaid_app", "desk", "paper"}
    [(_, unsent)] = pick(reg, "outbox_unsent_events", service="registration")
    [(_, age)] = pick(reg, "outbox_oldest_unsent_age_seconds", service="registration")
    assert unsent >= 0 and age >= 0

    def published() -> bool:  # the relay sent the two cases' events (and audit records) to Kafka
        return total(scrape(registration), "outbox_events_published_total") >= \
            total(reg_before, "outbox_events_published_total") + 2
    assert wait_until(published, timeout=30)

    # --- reporting: monthly reports by state, units past their deadline, its outbox, the worker's lag -------------
    rep, rep_before = after["reporting"], before["reporting"]
    late = {"level": "district", "state": "submitted", "timeliness": "late"}
    assert total(rep, "monthly_reports_total", **late) == total(rep_before, "monthly_reports_total", **late) + 1
    assert {(labels["state"], labels["timeliness"]) for labels, _ in pick(rep, "monthly_reports_total")} == {
        ("submitted", "on_time"), ("submitted", "late"), ("returned", "none"), ("overdue", "late")}
    [(_, overdue_before)] = pick(rep_before, "monthly_reports_overdue", level="district", province="57")
    [(_, overdue_after)] = pick(rep, "monthly_reports_overdue", level="district", province="57")
    assert overdue_after == overdue_before - 1 and overdue_after >= 1  # 5704 submitted; Chiang Rai's others not
    assert pick(rep, "monthly_reports_overdue", level="province", province="57")
    assert len({labels["province"] for labels, _ in pick(rep, "monthly_reports_overdue", level="district")}) == 77
    assert pick(rep, "outbox_unsent_events", service="reporting")
    assert pick(rep, "outbox_oldest_unsent_age_seconds", service="reporting")
    worker_lag = pick(rep, "consumer_lag_messages", service="reporting", group="reporting-3", topic="case-events")
    assert sorted(int(labels["partition"]) for labels, _ in worker_lag) == partitions("case-events")
    assert all(value >= 0 for _, value in worker_lag)
    assert pick(rep, "reconciliation_last_success_timestamp_seconds")
    assert pick(rep, "reconciliation_unsettled")

    # --- identity: its audit consumer's lag, per partition ----------------------------------------------------
    audit_lag = pick(after["identity"], "consumer_lag_messages", service="identity", group=identity_group,
                     topic="audit-events")
    assert sorted(int(labels["partition"]) for labels, _ in audit_lag) == partitions("audit-events")

    # --- notify: its consumer's lag on each topic; messages by channel and state ---------------------------------
    ntf = after["notify"]
    notify_lag = pick(ntf, "consumer_lag_messages", service="notify", group="notify")
    for topic in ("case-events", "report-events"):
        assert sorted(int(labels["partition"]) for labels, _ in notify_lag if labels["topic"] == topic) == \
            partitions(topic)
    waiting = pick(ntf, "notify_messages_waiting")
    assert {(labels["channel"], labels["state"]) for labels, _ in waiting} == {
        (channel, state) for channel in ("sms", "email", "line") for state in ("created", "sending",
                                                                               "temporary_failure")}
    sent_before = total(before["notify"], "notify_messages_total")

    def notified() -> bool:  # the case events became messages: waiting in this notify's store, or already sent
        now = scrape(notify)
        return total(now, "notify_messages_waiting") > 0 or total(now, "notify_messages_total") > sent_before
    assert wait_until(notified, timeout=60)
    assert {labels["outcome"] for labels, _ in pick(scrape(notify), "notify_messages_total")} <= {
        "delivered", "temporary_failure", "dead_lettered", "opted_out"}
