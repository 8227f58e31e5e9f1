"""One correlation id, followed: a registration request with a chosen ``X-Correlation-ID`` → echoed in the response
→ on the outbox and the Kafka header of its CaseRegistered → on identity's audit record of it (through the same
audit-events consumer and store identity runs) → through reporting's stream worker onto the totals rows the
registration moved → on notify's message records and its sending, and on the audit of notify's contact lookup at
registration → in the JSON log lines of every service in the journey. And the logs captured over that whole
journey (the worker's too) hold none of the citizen's personal data.

The journey runs once for the module (services in this process, as the other cross-service tests run them; logs
configured as each service's entry point configures them; the stream worker as its own process, as it runs) and
each test asserts one thing about it.
"""

from __future__ import annotations

import io
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from confluent_kafka import Consumer, KafkaException, TopicPartition
from prometheus_client.parser import text_string_to_metric_families
from pymongo import MongoClient

from contracts.consumer import EventConsumer
from contracts.logs import CORRELATION_HEADER, QUIET_LIBRARIES, configure_logging
from identity.adapters.audit_store import AuditStore
from identity.domain.audit import AuditQuery
from infra.dev.services import REPORTING_WORKER, start_worker, stop_worker
from infra.dev.testing import (
    KafkaUnderTest,
    KeycloakStack,
    RunningService,
    free_port,
    registration_site,
    serve,
    stop_service,
    wait_until,
)
from notify.delivery import TOPICS as NOTIFY_TOPICS
from notify.devsinks.sinks import Sinks
from notify.main import create_app as create_notify
from notify.messages.model import Channel, Message, State
from notify.settings import Settings as NotifySettings

CITIZEN = "1101700230708"  # สมศรี ใจดี in infra/dev/dev_people.json: her name comes from the verified identity
PERSONAL_DATA = {
    "citizen ID": [CITIZEN, "1-1017-00230-70-8"],
    "phone": ["0898765432", "898765432"],  # also catches +66898765432
    "name": ["สมศรี", "ใจดี"],
    "address": ["77/3 หมู่ 9"],
}


def registration_body() -> dict[str, Any]:
    return {
        "channel": "self_online",
        "debtor": {"phone": "089-876-5432", "address": {"line": "77/3 หมู่ 9", "subdistrict_code": "570301",
                                                          "district_code": "5703", "province_code": "57"}},
        "creditors": [{"kind": "person", "debts": [{"principal": "5,000", "outstanding": "7,500"}]}],
        "help_wanted": ["mediation"],
        "privacy_acknowledged": True,
    }


@dataclass
class Journey:
    correlation_id: str
    echoed: str
    case_id: str
    case_event_headers: dict[str, bytes]
    audit_entries: list[dict[str, Any]]
    messages: list[Message]
    sms_sent: list[str]
    totals_headers: list[dict[str, bytes]]
    worker_metrics: str
    log_text: str
    worker_log: str

    @property
    def log_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log_text.splitlines()]

    @property
    def worker_log_lines(self) -> list[dict[str, Any]]:
        not_json = [line for line in self.worker_log.splitlines() if not line.startswith("{")]
        assert not not_json, not_json[:10]
        return [json.loads(line) for line in self.worker_log.splitlines()]


def start_at_end(bootstrap: str, group: str, topics: tuple[str, ...]) -> None:
    """Commits ``group``'s offsets at the topics' ends, so a new consumer reads only this journey's events and
    not the whole session's history."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        metadata = consumer.list_topics(timeout=10)
        ends = []
        for topic in topics:
            known = metadata.topics.get(topic)
            for partition in known.partitions if known else ():
                _low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
                ends.append(TopicPartition(topic, partition, high))

        def committed() -> bool:
            try:
                consumer.commit(offsets=ends, asynchronous=False)
            except KafkaException:  # the group's coordinator is still loading on a fresh broker
                return False
            return True

        assert wait_until(committed, timeout=30, interval=0.5), f"could not place {group} at the end"
    finally:
        consumer.close()


def record_headers(bootstrap: str, topic: str, wanted: Callable[[Any], bool], timeout: float = 30
                   ) -> list[dict[str, bytes]]:
    """The headers of the records of ``topic`` that ``wanted`` picks, once there is one."""
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": f"probe-{uuid.uuid4()}",
                       "auto.offset.reset": "earliest"})
    reader.subscribe([topic])
    found: list[dict[str, bytes]] = []

    def poll() -> bool:
        msg = reader.poll(0.5)
        if msg is not None and not msg.error() and wanted(msg):
            found.append({k: v for k, v in msg.headers() or [] if isinstance(v, bytes)})
        return bool(found)

    try:
        wait_until(poll, timeout=timeout, interval=0)
    finally:
        reader.close()
    return found


def stream_worker(bootstrap: str, tag: str, workdir: Path, metrics_port: int) -> Any:
    """Reporting's stream worker as production runs it (``/metrics`` on a port), on an app id (its consumer
    group) placed at the end of case-events, so it reads this journey's events and not the session's, into a
    totals topic of its own."""
    app_id = f"journey-reporting-{tag}"
    start_at_end(bootstrap, app_id, ("case-events",))
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "REPORTING_STREAMS_APP_ID": app_id,
           "REPORTING_TOTALS_TOPIC": f"totals-journey-{tag}", "REPORTING_STREAMS_SESSION_TIMEOUT": "6",
           "REPORTING_WORKER_METRICS_PORT": str(metrics_port)}
    return start_worker(REPORTING_WORKER, env, workdir / "worker", workdir / "worker.log")


@pytest.fixture(scope="module")
def journey(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack, identity: RunningService,
            token_for: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    correlation_id = f"journey-{uuid.uuid4().hex}"
    tag = uuid.uuid4().hex[:10]
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, {name: logging.getLogger(name).level for name in QUIET_LIBRARIES})
    captured = io.StringIO()
    configure_logging("journey", "INFO", stream=captured)  # as every entry point does (LOG_LEVEL=INFO)
    logging.getLogger("contracts.consumer").setLevel(logging.DEBUG)  # one line per applied event
    mongo: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    audit_store = AuditStore(mongo[f"journey_identity_{tag}"])
    audit_store.ensure_indexes()
    sinks = Sinks().start()
    # Identity's audit-events wiring (identity.main), on a group of its own started at the topic's end.
    start_at_end(kafka.bootstrap, f"journey-identity-{tag}", ("audit-events",))
    audit_consumer = EventConsumer("audit-events", audit_store.append, bootstrap=kafka.bootstrap,
                                   group_id=f"journey-identity-{tag}")
    audit_consumer.start()
    workdir = tmp_path_factory.mktemp("journey")
    metrics_port = free_port()
    worker = stream_worker(kafka.bootstrap, tag, workdir, metrics_port)
    try:
        with registration_site(kafka, mongodb_uri, keycloak_server) as registration:
            start_at_end(kafka.bootstrap, f"journey-notify-{tag}", NOTIFY_TOPICS)
            notify = serve(create_notify(NotifySettings(
                mongodb_uri=mongodb_uri, mongodb_database=f"journey_notify_{tag}",
                kafka_bootstrap_servers=kafka.bootstrap, oidc_issuer_url=keycloak_server.issuer,
                consumer_group=f"journey-notify-{tag}",
                smtp_port=sinks.smtp_port, sms_gateway_url=f"{sinks.http_url}/sms/send", line_api_url=sinks.http_url,
                registration_url=registration.url, client_secret=keycloak_server.secrets.clients["debt-notify"])))
            try:
                with registration.client(token_for(f"citizen:{CITIZEN}")) as api:
                    created = api.post("/api/v1/registrations", json=registration_body(),
                                       headers={"X-Correlation-ID": correlation_id})
                assert created.status_code == 201, created.text
                case_id = created.json()["case_id"]
                headers = record_headers(kafka.bootstrap, "case-events", lambda m: m.key() == case_id.encode())[0]
                # The district's row moved by this registration (the journey's worker reads nothing else).
                totals_headers = record_headers(kafka.bootstrap, f"totals-journey-{tag}",
                                                lambda m: m.key() == b"district:5703", timeout=90)
                worker_metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text

                def audited() -> list[dict[str, Any]]:
                    return audit_store.search(AuditQuery(case_id=case_id)).entries

                def sms_delivered() -> bool:
                    return any(m.channel is Channel.SMS and m.state is State.DELIVERED
                               for m in notify.app.state.messages.for_case(case_id))

                assert wait_until(sms_delivered, timeout=60), notify.app.state.messages.for_case(case_id)
                # The registration's own audit record, and the one of notify's contact lookup at registration.
                assert wait_until(lambda: len(audited()) >= 2, timeout=30), audited()
                stop_worker(worker)
                yield Journey(correlation_id, created.headers.get("X-Correlation-ID", ""), case_id, headers,
                              audited(), notify.app.state.messages.for_case(case_id),
                              [s.to for s in sinks.outbox.of("sms")], totals_headers, worker_metrics,
                              captured.getvalue(),
                              (workdir / "worker.log").read_text())
            finally:
                stop_service(notify)
    finally:
        stop_worker(worker)
        audit_consumer.stop()
        sinks.stop()
        mongo.close()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)
        logging.getLogger("contracts.consumer").setLevel(logging.NOTSET)
        structlog.reset_defaults()
        logging.captureWarnings(False)


def test_the_response_echoes_the_chosen_id_and_the_kafka_record_carries_it(journey: Journey) -> None:
    assert journey.echoed == journey.correlation_id
    assert journey.case_event_headers[CORRELATION_HEADER] == journey.correlation_id.encode()
    assert journey.case_event_headers["event_type"] == b"CaseRegistered"


def test_identity_audit_records_and_notify_messages_carry_it(journey: Journey) -> None:
    actions = {entry["action"]: entry for entry in journey.audit_entries}
    assert {entry.get("correlation_id") for entry in journey.audit_entries} == {journey.correlation_id}, actions
    assert len(actions) >= 2  # the registration, and notify's contact lookup made while sending its SMS
    assert journey.messages and {m.correlation_id for m in journey.messages} == {journey.correlation_id}


def test_reporting_stream_worker_carries_it_onto_the_totals_row_the_registration_moved(journey: Journey) -> None:
    assert journey.totals_headers[0][CORRELATION_HEADER] == journey.correlation_id.encode()


def test_the_stream_worker_serves_faust_sensors_and_its_counters_after_the_traffic(journey: Journey) -> None:
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(journey.worker_metrics) for s in family.samples}
    applied = samples.get(("streamed_totals_inputs_total", (("agent", "cases"), ("outcome", "applied"))), 0)
    assert applied >= 1  # the journey's CaseRegistered, at least
    assert any(name.startswith("reporting_worker_") for name, _ in samples)  # Faust's own sensors
    assert any(name == "reporting_worker_messages_received_total" and value >= 1
               for (name, _), value in samples.items())


def test_the_stream_worker_logs_json_lines_only(journey: Journey) -> None:
    lines = journey.worker_log_lines  # every line JSON, Faust's own included
    assert any(line["logger"].startswith("faust") for line in lines), lines[:5]
    for line in lines:
        assert line["service"] == "reporting-worker" and {"level", "event", "timestamp"} <= set(line), line


def test_the_logs_of_every_service_in_the_journey_carry_it(journey: Journey) -> None:
    ours = [line for line in journey.log_lines if line.get("correlation_id") == journey.correlation_id]
    routes = {line.get("route") for line in ours if line["logger"] == "contracts.access"}
    assert "/api/v1/registrations" in routes  # registration's request
    assert "/api/v1/contacts/cases/{case_id}" in routes  # notify's lookup, continuing the id over HTTP
    assert any(line["logger"] == "contracts.consumer" and line["event_type"] == "AuditRecorded" for line in ours)
    delivered = [line for line in ours if line["event"] == "message delivered"]
    assert {line["channel"] for line in delivered} >= {"sms"}
    for line in journey.log_lines:
        assert {"service", "level", "event", "timestamp", "logger"} <= set(line), line


def test_no_personal_data_in_the_logs_of_the_whole_journey(journey: Journey) -> None:
    # The data did go through the system (the SMS went to her phone), so the search below could find it.
    assert any("898765432" in to for to in journey.sms_sent), journey.sms_sent
    assert len(journey.log_lines) >= 5
    text = journey.log_text + journey.worker_log
    found = {kind: [value for value in values if value in text] for kind, values in PERSONAL_DATA.items()}
    assert found == {kind: [] for kind in PERSONAL_DATA}, [
        line for line in text.splitlines() if any(v in line for vs in found.values() for v in vs)]
