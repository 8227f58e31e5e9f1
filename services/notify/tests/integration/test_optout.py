"""Opt-outs on the real database stand-in, the loopback SMS gateway and notify's HTTP routes: a debtor who replies
STOP (inbound-SMS callback, gateway basic auth) gets no more outcome SMS — recorded as not sent, opted out — but
still gets their registration receipt and appointment changes; the link in an outcome SMS stops them too (a Thai
page with a CSRF-protected form); START resumes; only a keyed hash of the number is kept."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from contracts import registry
from infra.dev.testing import RunningService, serve, stop_service
from notify.channels.sms_http import HttpSmsProvider
from notify.devsinks.sinks import Sinks
from notify.intake import Intake
from notify.main import create_app
from notify.messages.model import Channel, Message, State
from notify.messages.store import MessageStore
from notify.messages.templates import Templates
from notify.optout.directory import OptOutDirectory
from notify.optout.store import OptOuts
from notify.sending.ports import DevDirectory
from notify.sending.worker import Worker
from notify.settings import Settings

KEY = "integration-optout-key-0123456789abcdef"
GATEWAY = ("notify", "dev-receipt-secret")


class NoDeadLetters:
    def publish(self, message: Message, reason: str) -> None:
        raise AssertionError(f"nothing should be dead-lettered here: {reason}")


@pytest.fixture
def world(mongodb_uri: str, db_name: str) -> Iterator[dict[str, Any]]:
    """notify's web app (its opt-out routes; no consumers) and a sender sharing its database."""
    sinks = Sinks().start()
    app = serve(create_app(Settings(mongodb_uri=mongodb_uri, mongodb_database=db_name, deliver=False,
                                    optout_key=KEY, public_url="http://notify.example")))
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    store = MessageStore(client[db_name])
    store.ensure_indexes()
    directory = OptOutDirectory(DevDirectory(), OptOuts(client[db_name], KEY), "http://notify.example")
    sms = HttpSmsProvider(f"{sinks.http_url}/sms/send", "notify", "dev-sms-password", "DOPA")
    worker = Worker(store, sms, Templates(), directory, NoDeadLetters(), clock=lambda: datetime.now(UTC))
    try:
        yield {"app": app, "store": store, "worker": worker, "sinks": sinks, "db": client[db_name]}
    finally:
        stop_service(app)
        sinks.stop()
        client.close()


def _event(event_type: str, case_id: str, **changes: Any) -> dict[str, Any]:
    base = dict(registry.examples(event_type, 1)[0][1])
    return base | {"event_id": str(uuid.uuid4()), "case_id": case_id, **changes}


def _send_all(world: dict[str, Any], *events: dict[str, Any]) -> list[Message]:
    store: MessageStore = world["store"]
    Intake(store).apply_batch(list(events))
    while world["worker"].run_once():
        pass
    return [m for e in events for m in store.for_case(e["case_id"]) if m.event_id == e["event_id"]
            and m.channel is Channel.SMS]


def _phone(case_id: str) -> str:
    address = DevDirectory().address(f"debtor:{case_id}", Channel.SMS)
    assert address is not None
    return address


def _inbound(app: RunningService, msisdn: str, text: str, auth: tuple[str, str] = GATEWAY) -> httpx.Response:
    return httpx.post(f"{app.url}/api/v1/inbound/sms", data={"msisdn": msisdn, "message": text}, auth=auth, timeout=10)


def test_stop_by_sms_stops_only_optional_messages_and_start_resumes(world: dict[str, Any]) -> None:
    app, case = world["app"], f"c-{uuid.uuid4().hex[:20].upper()}"
    local = "0" + _phone(case)[3:]  # as Thai gateways pass the sender on: 08…
    assert _inbound(app, local, "STOP", auth=("notify", "wrong")).status_code == 401
    stopped = _inbound(app, local, " stop ขอบคุณครับ")
    assert stopped.status_code == 200 and stopped.json() == {"action": "stop"}
    assert _inbound(app, local, "สวัสดีครับ").json() == {"action": None}

    sent = {m.template: m for m in _send_all(
        world, _event("CaseRegistered", case), _event("MediationScheduled", case),
        _event("MediationConcluded", case))}
    outcome = sent["mediation_outcome"]
    assert outcome.state is State.NOT_SENT and outcome.reason and outcome.reason.startswith("opted_out")
    assert sent["registration_receipt"].state is State.DELIVERED  # what they need is sent whatever they asked
    assert sent["mediation_scheduled"].state is State.DELIVERED
    texts = [s.text for s in world["sinks"].outbox.of("sms") if s.to == _phone(case)[1:]]
    assert len(texts) == 2 and not any("ผลการไกล่เกลี่ย" in t for t in texts)

    keys = [d["_id"] for d in world["db"]["opt_outs"].find()]
    assert len(keys) == 1 and re.fullmatch(r"[0-9a-f]{64}", keys[0])
    assert _phone(case)[3:] not in str(list(world["db"]["opt_outs"].find()))  # no number kept in clear

    assert _inbound(app, _phone(case), "START").json() == {"action": "start"}
    [resumed] = _send_all(world, _event("MediationConcluded", case))
    assert resumed.state is State.DELIVERED


def test_the_link_in_an_outcome_sms_stops_the_next_ones(world: dict[str, Any]) -> None:
    app, case = world["app"], f"c-{uuid.uuid4().hex[:20].upper()}"
    [first] = _send_all(world, _event("MediationConcluded", case))
    assert first.state is State.DELIVERED
    [sms] = [s for s in world["sinks"].outbox.of("sms") if s.to == _phone(case)[1:]]
    found = re.search(r"http://notify\.example(/optout/[0-9a-f]{32}\.[0-9a-f]{24})", sms.text)
    assert found and "STOP" in sms.text, sms.text
    link = app.url + found.group(1)

    forged = httpx.get(link[:-1] + ("0" if link[-1] != "0" else "1"), timeout=10)
    assert forged.status_code == 404 and "ลิงก์นี้ใช้ไม่ได้" in forged.text
    page = httpx.get(link, timeout=10)
    assert page.status_code == 200 and "หยุดรับ SMS แจ้งผลการไกล่เกลี่ย" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    assert httpx.post(link, data={"csrf": csrf.group(1)}, timeout=10).status_code == 403  # no cookie: refused
    cookie = page.headers["set-cookie"].split(";", 1)[0]  # Secure cookie: passed on by hand over http
    done = httpx.post(link, data={"csrf": csrf.group(1)}, headers={"Cookie": cookie}, timeout=10)
    assert done.status_code == 200 and "หยุดส่งแล้ว" in done.text

    [second] = _send_all(world, _event("MediationConcluded", case))
    assert second.state is State.NOT_SENT
    [receipt] = _send_all(world, _event("CaseRegistered", case))
    assert receipt.state is State.DELIVERED
