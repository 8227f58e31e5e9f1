"""Consumes case-events; offsets are committed only after the totals are stored (at-least-once,
made exactly-once in effect by the processed-event ids in the totals store)."""

from __future__ import annotations

import logging
import threading

from confluent_kafka import Consumer, KafkaException
from prometheus_client import Counter

from contracts import codec
from reporting.adapters.totals_store import TotalsStore

log = logging.getLogger(__name__)
TOPIC = "case-events"
CONSUMED = Counter("case_events_consumed_total", "Case events read", ["outcome"])


class CaseEventConsumer:
    def __init__(self, store: TotalsStore, bootstrap: str, group_id: str) -> None:
        self.store = store
        self.consumer = Consumer({
            "bootstrap.servers": bootstrap,
            "group.id": group_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        })
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="case-events-consumer", daemon=True)

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
                log.warning("consumer error: %s", msg.error())
                continue
            try:
                event = codec.decode(msg.value())
            except codec.ContractError as exc:
                # A poisoned message must not stop the totals; it is counted and skipped.
                CONSUMED.labels("rejected").inc()
                log.error("skipping event at %s[%s]@%s: %s", msg.topic(), msg.partition(), msg.offset(), exc)
            else:
                if not self._apply_with_retry(event):
                    return
            try:
                self.consumer.commit(message=msg, asynchronous=False)
            except KafkaException as exc:
                log.warning("offset commit failed (%s); the event may be read again and deduplicated", exc)

    def _apply_with_retry(self, event: codec.Event) -> bool:
        while not self._stop.is_set():
            try:
                applied = self.store.apply(event)
                CONSUMED.labels("applied" if applied else "duplicate").inc()
                return True
            except Exception:
                log.exception("storing totals failed; retrying")
                self._stop.wait(1.0)
        return False
