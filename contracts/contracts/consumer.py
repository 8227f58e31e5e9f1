"""The one way services consume a topic: decode and validate against the contract, apply, and only
then commit the offset (at-least-once; each service's ``apply`` makes it exactly-once in effect).

The Kafka consumer is used only by its own thread (a consumer called from another thread can hang).
A message that breaks the contract is counted and sent to ``event-dead-letters`` (``contracts.dead_letters``)
so it cannot stop the stream, and its offset is committed only once the dead letter is acknowledged; a
failing ``apply`` (its database down) is retried without committing, so nothing is lost. While an event is
applied, the correlation id its producer sent (Kafka header ``correlation_id``) is bound for logs and
whatever ``apply`` stores.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from confluent_kafka import Consumer, KafkaException, Message
from prometheus_client import Counter

from contracts import codec, registry
from contracts.dead_letters import TOPIC as DEAD_LETTER_TOPIC
from contracts.dead_letters import DeadLetterPublisher
from contracts.logs import bound_correlation, correlation_from_headers, current_correlation_id, kafka_logging

log = logging.getLogger(__name__)
CONSUMED = Counter("events_consumed_total", "Events read, by topic and outcome", ["topic", "outcome"])

Apply = Callable[[codec.Event], bool]  # True: stored; False: a duplicate or nothing to do


class EventConsumer:
    def __init__(self, topic: str, apply: Apply, *, bootstrap: str, group_id: str,
                 dead_letters: DeadLetterPublisher | None = None) -> None:
        self.spec = registry.topic(topic)
        self.apply = apply
        self.dead_letters = dead_letters or DeadLetterPublisher(bootstrap, group_id)
        self.consumer = Consumer({
            **kafka_logging(),
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
        self.dead_letters.close()

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
        with bound_correlation(correlation_from_headers(msg.headers())):
            return self._apply_or_dead_letter(msg)

    def _apply_or_dead_letter(self, msg: Message) -> bool:
        try:
            event = codec.decode(msg.value())
            if not self.spec.carries(event["event_type"], event["schema_version"]):
                raise codec.ContractError(f"{event['event_type']} v{event['schema_version']} not on {self.spec.name}")
        except codec.ContractError as exc:
            return self._dead_letter(msg, str(exc))
        while not self._stop.is_set():
            try:
                stored = self.apply(event)
                CONSUMED.labels(self.spec.name, "applied" if stored else "duplicate").inc()
                log.debug("event applied", extra={"event_type": event["event_type"], "event_id": event["event_id"],
                                                  "topic": msg.topic(), "stored": stored})
                return True
            except Exception:
                log.exception("applying an event from %s failed; retrying", self.spec.name)
                self._stop.wait(1.0)
        return False

    def _dead_letter(self, msg: Message, reason: str) -> bool:
        """Retried until acknowledged (the offset must not move past a message nobody kept); False if stopping."""
        while not self._stop.is_set():
            try:
                self.dead_letters.publish(msg.topic() or self.spec.name, msg.partition() or 0, msg.offset() or 0,
                                          msg.value(), reason, current_correlation_id())
            except Exception:
                log.exception("dead-lettering the event at %s[%s]@%s failed; retrying",
                              msg.topic(), msg.partition(), msg.offset())
                self._stop.wait(1.0)
                continue
            CONSUMED.labels(self.spec.name, "rejected").inc()
            # The reason is on the dead-letter topic, not here: it may quote the broken value, personal data included.
            log.error("event at %s[%s]@%s breaks its contract; sent to %s", msg.topic(), msg.partition(),
                      msg.offset(), DEAD_LETTER_TOPIC)
            return True
        return False
