"""Notify's event consumer: reads case-events and report-events in batches, stores every message the batch asks
for (one majority-acknowledged insert), and only then commits the batch's offsets. A notify killed anywhere in
between reads the batch again after restart and the message ids make the second insert a no-op, so nothing is
lost and nothing is sent twice.

Same contract handling as ``contracts.consumer.EventConsumer`` (decode, validate against the topic, send what
breaks the contract to ``event-dead-letters`` before committing past it, retry a failing store without
committing), batched because storing and committing once per event limited notify to a few dozen events a
second on the dev stack. Each event's correlation id (Kafka header) goes to the store with it, so a message
can be traced to the request that caused it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from confluent_kafka import Consumer, KafkaException, Message

from contracts import codec, registry
from contracts.consumer import CONSUMED
from contracts.dead_letters import TOPIC as DEAD_LETTER_TOPIC
from contracts.dead_letters import DeadLetterPublisher
from contracts.logs import bound_correlation, correlation_from_headers, kafka_logging

log = logging.getLogger(__name__)
Correlations = dict[str, str | None]  # event_id -> the correlation id its producer sent
ApplyBatch = Callable[[list[codec.Event], Correlations], object]


class BatchConsumer:
    def __init__(self, topics: Sequence[str], apply_batch: ApplyBatch, *, bootstrap: str, group_id: str,
                 max_batch: int = 500, dead_letters: DeadLetterPublisher | None = None) -> None:
        self.specs = {name: registry.topic(name) for name in topics}
        self.dead_letters = dead_letters or DeadLetterPublisher(bootstrap, group_id)
        self.apply_batch, self.max_batch = apply_batch, max_batch
        self.consumer = Consumer({**kafka_logging(), "bootstrap.servers": bootstrap, "group.id": group_id,
                                  "enable.auto.commit": False, "auto.offset.reset": "earliest", "log_level": 3})
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notify-consumer", daemon=True)

    def start(self) -> None:
        self.consumer.subscribe(list(self.specs))
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(15)
        self.consumer.close()
        self.dead_letters.close()

    def _decode(self, messages: list[Message]) -> tuple[list[codec.Event], Correlations] | None:
        """The batch's valid events and their correlation ids; None if stopping before a dead letter was kept."""
        events, correlations = [], {}
        for msg in messages:
            if msg.error():
                log.warning("consumer error: %s", msg.error())
                continue
            spec = self.specs[msg.topic() or ""]
            correlation_id = correlation_from_headers(msg.headers())
            try:
                event = codec.decode(msg.value())
                if not spec.carries(event["event_type"], event["schema_version"]):
                    raise codec.ContractError(f"{event['event_type']} v{event['schema_version']} not on {spec.name}")
            except codec.ContractError as exc:
                if not self._dead_letter(msg, str(exc), correlation_id):
                    return None
                CONSUMED.labels(spec.name, "rejected").inc()
                continue
            CONSUMED.labels(spec.name, "applied").inc()
            events.append(event)
            correlations[event["event_id"]] = correlation_id
        return events, correlations

    def _dead_letter(self, msg: Message, reason: str, correlation_id: str | None) -> bool:
        """Retried until the broker acknowledged it (the batch is committed after); False if stopping first."""
        while not self._stop.is_set():
            try:
                self.dead_letters.publish(msg.topic() or "", msg.partition() or 0, msg.offset() or 0, msg.value(),
                                          reason, correlation_id)
            except Exception:
                log.exception("dead-lettering the event at %s[%s]@%s failed; retrying",
                              msg.topic(), msg.partition(), msg.offset())
                self._stop.wait(1.0)
                continue
            # The reason is on the dead-letter topic only: it may quote the broken value.
            with bound_correlation(correlation_id):
                log.error("event at %s[%s]@%s breaks its contract; sent to %s", msg.topic(), msg.partition(),
                          msg.offset(), DEAD_LETTER_TOPIC)
            return True
        return False

    def _run(self) -> None:
        while not self._stop.is_set():
            messages = self.consumer.consume(num_messages=self.max_batch, timeout=0.2)
            if not messages:
                continue
            decoded = self._decode(messages)
            if decoded is None:
                return  # stopping before a broken event was dead-lettered: the batch stays uncommitted
            events, correlations = decoded
            while events and not self._stop.is_set():
                try:
                    self.apply_batch(events, correlations)
                    break
                except Exception:
                    log.exception("storing a batch of %d events failed; retrying", len(events))
                    self._stop.wait(1.0)
            if self._stop.is_set():
                return  # stopping before the batch was stored: its offsets stay uncommitted
            try:
                self.consumer.commit(asynchronous=False)
            except KafkaException as exc:
                log.warning("offset commit failed (%s); the batch may be read again and deduplicated", exc)
