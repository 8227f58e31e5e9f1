"""Messages through real loopback providers (aiosmtpd, the HTTP SMS gateway, the LINE endpoint) and the
MongoDB stand-in: the Thai e-mail arrives, a failing gateway retries then dead-letters while e-mail flows,
a redelivered event stores nothing twice, a sender that died mid-send does not push twice to LINE."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient

from contracts import registry
from notify.channels.line import LineProvider
from notify.channels.port import Provider
from notify.channels.sms_http import HttpSmsProvider
from notify.channels.smtp import SmtpProvider
from notify.devsinks.sinks import Sinks
from notify.intake import Intake
from notify.messages.model import Channel, Message, State
from notify.messages.store import MessageStore
from notify.messages.templates import Templates
from notify.sending.policy import Backoff
from notify.sending.ports import DevDirectory
from notify.sending.worker import Worker


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class CollectedDeadLetters:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def publish(self, message: Message, reason: str) -> None:
        self.items.append((message.id, reason))


@pytest.fixture
def sinks() -> Iterator[Sinks]:
    running = Sinks().start()
    yield running
    running.stop()


@pytest.fixture
def store(mongodb_uri: str, db_name: str) -> Iterator[MessageStore]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    messages = MessageStore(client[db_name])
    messages.ensure_indexes()
    yield messages
    client.close()


def workers(store: MessageStore, sinks: Sinks, clock: Clock, dead: CollectedDeadLetters) -> dict[Channel, Worker]:
    providers: list[Provider] = [SmtpProvider("127.0.0.1", sinks.smtp_port, "ศูนย์แก้ไขหนี้ <no-reply@dopa.example>"),
                 HttpSmsProvider(f"{sinks.http_url}/sms/send", "notify", "dev-sms-password", "DOPA"),
                 LineProvider(sinks.http_url, "token")]
    backoff = Backoff(base=timedelta(seconds=2), cap=timedelta(seconds=60), give_up_after=timedelta(minutes=10))
    return {p.channel: Worker(store, p, Templates(), DevDirectory(), dead, clock=clock, backoff=backoff)
            for p in providers}


def drain(worker: Worker) -> int:
    sent = 0
    while worker.run_once():
        sent += 1
    return sent


def registered() -> dict[str, Any]:
    return dict(dict(registry.examples("CaseRegistered", 1))["online.json"])


def test_a_redelivered_event_stores_its_messages_once(store: MessageStore) -> None:
    intake = Intake(store, debtor_channels=(Channel.SMS, Channel.LINE))
    assert intake.apply(registered()) is True
    assert intake.apply(registered()) is False
    assert store.count() == 3  # SMS and LINE to the debtor, e-mail to the district


def test_the_smtp_server_receives_the_thai_email(store: MessageStore, sinks: Sinks) -> None:
    clock, dead = Clock(), CollectedDeadLetters()
    Intake(store, clock=clock).apply(registered())
    assert drain(workers(store, sinks, clock, dead)[Channel.EMAIL]) == 1
    [mail] = sinks.outbox.of("email")
    assert mail.to == "saraban.4701@dopa.example"
    assert mail.subject == "เรื่องใหม่ในอำเภอ 4701: c-01JF0000000000000000000001"
    assert "ยอดหนี้คงค้าง: 62,500.50 บาท" in mail.text
    assert "<th align=\"left\">ยอดหนี้คงค้าง</th><td>62,500.50 บาท</td>" in mail.html
    [stored] = store.for_unit("4701")[-1:]
    assert stored.state is State.DELIVERED and stored.provider_ref == mail.ref
    assert stored.address_hint == "sa…@dopa.example"


def test_a_failing_sms_gateway_retries_then_dead_letters_while_email_keeps_flowing(
        store: MessageStore, sinks: Sinks) -> None:
    clock, dead = Clock(), CollectedDeadLetters()
    by_channel = workers(store, sinks, clock, dead)
    sinks.fail("sms", 503)
    intake = Intake(store, clock=clock)
    sms_id = ""
    for minute in range(12):  # a new case every minute; the gateway never recovers
        event = registered() | {"event_id": f"6f1c2b1e-8d0a-4c57-9f7e-3d2a1b0c9e{minute:02d}"}
        intake.apply(event)
        sms_id = sms_id or next(m.id for m in store.for_case(event["case_id"]) if m.channel is Channel.SMS)
        drain(by_channel[Channel.SMS])  # every due SMS fails and is put off by its backoff
        assert drain(by_channel[Channel.EMAIL]) == 1, "e-mail is never held up by the SMS outage"
        clock.advance(minutes=1)
    first = store.get(sms_id)
    assert first is not None and first.state is State.PERMANENT_FAILURE and first.dead_lettered
    assert first.attempts > 2 and "retries exhausted" in (first.reason or "") and "503" in (first.reason or "")
    assert [reason for mid, reason in dead.items if mid == sms_id] == [first.reason]
    history = [h["state"] for h in first.history]
    assert history[:4] == ["sending", "temporary_failure", "sending", "temporary_failure"]
    assert len(sinks.outbox.of("email")) == 12 and sinks.outbox.of("sms") == []
    # The gateway heals: the messages still inside their retry window go out, each once.
    sinks.fail("sms", 0)
    clock.advance(minutes=2)
    drain(by_channel[Channel.SMS])
    refs = sinks.outbox.refs("sms")
    assert refs and len(refs) == len(set(refs)) and sms_id not in refs


def test_a_refused_message_is_dead_lettered_at_once(store: MessageStore, sinks: Sinks) -> None:
    clock, dead = Clock(), CollectedDeadLetters()
    sinks.fail("line", 400)
    Intake(store, debtor_channels=(Channel.LINE,), clock=clock).apply(registered())
    drain(workers(store, sinks, clock, dead)[Channel.LINE])
    [(_, reason)] = dead.items
    assert reason.startswith("line refused: 400")


def test_a_push_retried_after_the_sender_died_is_not_delivered_twice(store: MessageStore, sinks: Sinks) -> None:
    """The sender pushed, then died before recording it: after the lease the message is taken again and
    pushed with the same X-Line-Retry-Key, which LINE (and the sink) accepts once."""
    clock, dead = Clock(), CollectedDeadLetters()
    Intake(store, debtor_channels=(Channel.LINE,), clock=clock).apply(registered())
    line = workers(store, sinks, clock, dead)[Channel.LINE]
    [claimed] = store.claim(Channel.LINE, clock(), lease=line.lease)
    rendered = Templates().render(claimed.template, claimed.channel, claimed.context)
    line.provider.send(claimed, "U" + "0" * 32, rendered)  # ... and the process dies here
    assert line.run_once() is False, "still leased to the dead sender"
    clock.advance(minutes=3)
    assert line.run_once() is True
    assert len(sinks.outbox.of("line")) == 1
    stored = store.get(claimed.id)
    assert stored is not None and stored.state is State.DELIVERED and stored.attempts == 2


def test_a_batch_held_back_until_its_lease_nearly_ran_out_is_left_to_the_next_claim_not_sent_twice(
        store: MessageStore, sinks: Sinks) -> None:
    """A shared provider rate can hold a claimed batch back for long; once 80 % of the lease has passed, what is
    left is not sent by this worker, since another replica may claim it when the lease runs out."""
    clock, dead = Clock(), CollectedDeadLetters()
    Intake(store, debtor_channels=(Channel.SMS,), clock=clock).apply(registered())
    Intake(store, debtor_channels=(Channel.SMS,), clock=clock).apply(
        registered() | {"event_id": "01JF0000000000000000000099", "case_id": "c-01JF0000000000000000000099"})
    sms = workers(store, sinks, clock, dead)[Channel.SMS]
    assert sms.run_once() is True  # claims both, sends one
    clock.advance(seconds=sms.lease.total_seconds() * 0.85)
    assert sms.run_once() is False  # the other is still leased: not sent now, nor by anyone else yet
    assert len(sinks.outbox.of("sms")) == 1
    clock.advance(minutes=1)  # the lease has run out: whoever claims it sends it, once
    assert sms.run_once() is True
    assert len(sinks.outbox.of("sms")) == 2
