"""The one way services consume a topic: decode and validate against the contract, apply, and only
then commit the offset (at-least-once; each service's ``apply`` makes it exactly-once in effect).

The Kafka consumer is used only by its own thread (a consumer called from another thread can hang).
A message that breaks the contract is counted and skipped so it cannot stop the stream; a failing
``apply`` (its database down) is retried without committing, so nothing is lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from confluent_kafka import Consumer, KafkaException, Message
from prometheus_client import Counter

from contracts import codec, registry

log = logging.getLogger(__name__)
CONSUMED = Counter("events_consumed_total", "Events read, by topic and outcome", ["topic", "outcome"])

Apply = Callable[[codec.Event], bool]  # True: stored; False: a duplicate or nothing to do


class EventConsumer:
    def __init__(self, topic: str, apply: Apply, *, bootstrap: str, group_id: str) -> None:
        self.spec = registry.topic(topic)
        self.apply = apply
        self.consumer = Consumer({
            "bootstrap.servers": bootstrap,
            "group.id": group_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "log_level": 3,
        })
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{topic}-consumer", daemon=True)

    def start(self) -> None:
        self.consumer.subscribe([self.spec.name])
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
                log.warning("%s consumer error: %s", self.spec.name, msg.error())
                continue
            if not self._handle(msg):
                return
            try:
                self.consumer.commit(message=msg, asynchronous=False)
            except KafkaException as exc:
                log.warning("offset commit failed (%s); the event may be read again and deduplicated", exc)

    def _handle(self, msg: Message) -> bool:
        """False only when stopping before the event could be applied (its offset stays uncommitted)."""
        try:
            event = codec.decode(msg.value())
            if not self.spec.carries(event["event_type"], event["schema_version"]):
                raise codec.ContractError(f"{event['event_type']} v{event['schema_version']} not on {self.spec.name}")
        except codec.ContractError as exc:
            CONSUMED.labels(self.spec.name, "rejected").inc()
            log.error("skipping event at %s[%s]@%s: %s", msg.topic(), msg.partition(), msg.offset(), exc)
            return True
        while not self._stop.is_set():
            try:
                CONSUMED.labels(self.spec.name, "applied" if self.apply(event) else "duplicate").inc()
                return True
            except Exception:
                log.exception("applying an event from %s failed; retrying", self.spec.name)
                self._stop.wait(1.0)
        return False
