"""Consumes ``audit-events`` from every service into the append-only store. The consumer is used
only by its own thread; offsets are committed after the entry is stored (at-least-once, made
exactly-once in effect by the unique ``event_id``)."""

from __future__ import annotations

import logging
import threading

from confluent_kafka import Consumer, KafkaException
from prometheus_client import Counter

from contracts import codec
from identity.adapters.audit_store import AuditStore

log = logging.getLogger(__name__)
TOPIC = "audit-events"
CONSUMED = Counter("audit_events_consumed_total", "Audit events read", ["outcome"])


class AuditEventConsumer:
    def __init__(self, store: AuditStore, bootstrap: str, group_id: str) -> None:
        self.store = store
        self.consumer = Consumer({
            "bootstrap.servers": bootstrap,
            "group.id": group_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "log_level": 3,
        })
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-events-consumer", daemon=True)

    def start(self) -> None:
        self.consumer.subscribe([TOPIC])
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.consumer.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            msg = self.consumer.poll(0.2)
            if msg is None:
                continue
            if msg.error():
                log.warning("audit consumer error: %s", msg.error())
                continue
            try:
                event = codec.decode(msg.value())
                if event["event_type"] != "AuditRecorded":
                    raise codec.ContractError(f"unexpected {event['event_type']} on {TOPIC}")
            except codec.ContractError as exc:
                CONSUMED.labels("rejected").inc()
                log.error("skipping audit event at %s[%s]@%s: %s", msg.topic(), msg.partition(), msg.offset(), exc)
            else:
                if not self._store_with_retry(event):
                    return
            try:
                self.consumer.commit(message=msg, asynchronous=False)
            except KafkaException as exc:
                log.warning("offset commit failed (%s); the event may be read again and deduplicated", exc)

    def _store_with_retry(self, event: codec.Event) -> bool:
        while not self._stop.is_set():
            try:
                CONSUMED.labels("stored" if self.store.append(event) else "duplicate").inc()
                return True
            except Exception:
                log.exception("storing an audit entry failed; retrying")
                self._stop.wait(1.0)
        return False
