"""bench/notify: messages per second end to end through the loopback sinks, with redelivery on.

N synthetic registrations (each asks for an SMS receipt to the debtor and an e-mail to the district: 2N
messages) are produced to case-events on a real Kafka broker, and a fraction of them (default all) produced a
second time, as a relay that redelivers would. Notify's own pieces then run in this process as they do in the
service: notify's batch consumer and intake (MongoDB stand-in, majority writes, offsets committed after
the messages are stored) and one sending worker per provider (SMTP to aiosmtpd, the HTTP SMS gateway sink).
Throughput = 2N / (time the last message reached a sink - time the consumer started).

Baseline, same run: the same 2N messages rendered from the same templates and handed straight to the same
providers and sinks, one thread per provider as in notify, with no Kafka, no MongoDB and no bookkeeping. The
ratio says what notify's at-most-once record keeping costs.

``python -m bench notify [--events N] [--redeliver FRACTION]``
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confluent_kafka import Producer
from pymongo import MongoClient

from bench.intake import machine
from contracts import codec, registry
from infra.dev.kafka import DevKafka
from infra.dev.mongo import DevMongo
from infra.dev.testing import free_port
from notify.channels.port import Provider
from notify.channels.sms_http import HttpSmsProvider
from notify.channels.smtp import SmtpProvider
from notify.consumer import BatchConsumer
from notify.devsinks.sinks import Sinks
from notify.intake import Intake
from notify.messages.model import Message
from notify.messages.store import MessageStore
from notify.messages.templates import Templates
from notify.planning import plan
from notify.sending.ports import DevDirectory
from notify.sending.worker import Worker


def registrations(count: int) -> list[dict[str, Any]]:
    base = dict(registry.examples("CaseRegistered", 1))["online.json"]
    return [base | {"event_id": str(uuid.uuid4()), "case_id": f"c-{uuid.uuid4().hex[:24].upper()}"}
            for _ in range(count)]


def providers(sinks: Sinks) -> list[Provider]:
    return [SmtpProvider("127.0.0.1", sinks.smtp_port, "no-reply@dopa.example"),
            HttpSmsProvider(f"{sinks.http_url}/sms/send", "notify", "dev-sms-password", "DOPA")]


def wait_for(done: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the messages did not all arrive")
        time.sleep(0.05)


def through_notify(bootstrap: str, mongo_uri: str, events: list[dict[str, Any]],
                   redelivered: int) -> tuple[float, float]:
    """Messages per second end to end, and the seconds until every message was stored (consumption alone)."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                         "linger.ms": 5})
    for event in events + events[:redelivered]:
        key, value, headers = codec.encode("case-events", event)
        producer.produce("case-events", key=key, value=value, headers=headers)
    assert producer.flush(60) == 0
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri, tz_aware=True)
    store = MessageStore(client[f"bench_{uuid.uuid4().hex[:8]}"])
    store.ensure_indexes()
    sinks = Sinks().start()
    workers = [Worker(store, p, Templates(), DevDirectory(), _NoDeadLetters(), clock=lambda: datetime.now(UTC),
                      idle_wait=0.01) for p in providers(sinks)]
    consumer = BatchConsumer(["case-events"], Intake(store).apply_batch, bootstrap=bootstrap,
                             group_id=f"bench-{uuid.uuid4().hex[:8]}")
    expected = 2 * len(events)
    started = time.perf_counter()
    consumer.start()
    for worker in workers:
        worker.start()
    stored_after: list[float] = []

    def all_stored() -> bool:
        if not stored_after and store.count() >= expected:
            stored_after.append(time.perf_counter() - started)
        return bool(stored_after)

    try:
        wait_for(lambda: all_stored() and len(sinks.outbox.items) >= expected, timeout=1800)
        elapsed = time.perf_counter() - started
        time.sleep(0.5)  # anything sent twice would arrive now
        refs = [item.ref for item in sinks.outbox.items]
        assert len(refs) == len(set(refs)) == expected, f"{len(refs)} sent, {len(set(refs))} distinct"
    finally:
        consumer.stop()
        for worker in workers:
            worker.stop()
        sinks.stop()
        client.close()
    return expected / elapsed, stored_after[0]


class _NoDeadLetters:
    def publish(self, message: Message, reason: str) -> None:
        raise AssertionError(f"nothing should fail in the bench: {reason}")


def straight_to_sinks(events: list[dict[str, Any]]) -> float:
    sinks = Sinks().start()
    templates, directory, now = Templates(), DevDirectory(), datetime.now(UTC)
    messages = [Message.from_plan(e, p, now) for e in events for p in plan(e)]
    threads = []
    for provider in providers(sinks):
        mine = [m for m in messages if m.channel is provider.channel]

        def send_all(provider: Provider = provider, mine: list[Message] = mine) -> None:
            for m in mine:
                address = directory.address(m.recipient, m.channel)
                assert address is not None
                provider.send(m, address, templates.render(m.template, m.channel, m.context))

        threads.append(threading.Thread(target=send_all))
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    assert len(sinks.outbox.items) == len(messages)
    sinks.stop()
    return len(messages) / elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench notify")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--redeliver", type=float, default=1.0, help="fraction of the events produced twice")
    args = parser.parse_args(argv)
    events = registrations(args.events)
    redelivered = int(len(events) * args.redeliver)
    with tempfile.TemporaryDirectory() as tmp, \
            DevKafka(Path(tmp) / "kafka", free_port(), free_port()) as kafka, \
            DevMongo(Path(tmp) / "mongo", free_port()) as mongo:
        kafka.create_contract_topics()
        direct = straight_to_sinks(events)
        notified, stored_after = through_notify(kafka.bootstrap, mongo.uri, events, redelivered)
    print(f"bench/notify on {machine()}")
    print(f"{args.events} registrations (+{redelivered} redelivered) → {2 * args.events} messages "
          f"(SMS to the HTTP gateway sink, e-mail to aiosmtpd)")
    print(f"  through notify (Kafka → MongoDB → senders → sinks): {notified:,.0f} messages/s")
    print(f"    (all {2 * args.events} messages stored after {stored_after:.1f} s: consuming "
          f"{(len(events) + redelivered) / stored_after:,.0f} events/s incl. redelivered)")
    print(f"  straight to the sinks (same providers, no bookkeeping): {direct:,.0f} messages/s")
    print(f"  ratio: {notified / direct:.2f}")


if __name__ == "__main__":
    main()
