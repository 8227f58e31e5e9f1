"""Notify's event consumer: reads case-events and report-events in batches, stores every message the batch asks
for (one majority-acknowledged insert), and only then commits the batch's offsets. A notify killed anywhere in
between reads the batch again after restart and the message ids make the second insert a no-op, so nothing is
lost and nothing is sent twice.

Same contract handling as ``contracts.consumer.EventConsumer`` (decode, validate against the topic, count and
skip what breaks the contract, retry a failing store without committing), batched because storing and
committing once per event limited notify to a few dozen events a second on the dev stack.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from confluent_kafka import Consumer, KafkaException, Message

from contracts import codec, registry
from contracts.consumer import CONSUMED

log = logging.getLogger(__name__)
ApplyBatch = Callable[[list[codec.Event]], object]


class BatchConsumer:
    def __init__(self, topics: Sequence[str], apply_batch: ApplyBatch, *, bootstrap: str, group_id: str,
                 max_batch: int = 500) -> None:
        self.specs = {name: registry.topic(name) for name in topics}
        self.apply_batch, self.max_batch = apply_batch, max_batch
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group_id,
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

    def _decode(self, messages: list[Message]) -> list[codec.Event]:
        events = []
        for msg in messages:
            if msg.error():
                log.warning("consumer error: %s", msg.error())
                continue
            spec = self.specs[msg.topic() or ""]
            try:
                event = codec.decode(msg.value())
                if not spec.carries(event["event_type"], event["schema_version"]):
                    raise codec.ContractError(f"{event['event_type']} v{event['schema_version']} not on {spec.name}")
            except codec.ContractError as exc:
                CONSUMED.labels(spec.name, "rejected").inc()
                log.error("skipping event at %s[%s]@%s: %s", msg.topic(), msg.partition(), msg.offset(), exc)
                continue
            CONSUMED.labels(spec.name, "applied").inc()
            events.append(event)
        return events

    def _run(self) -> None:
        while not self._stop.is_set():
            messages = self.consumer.consume(num_messages=self.max_batch, timeout=0.2)
            if not messages:
                continue
            events = self._decode(messages)
            while events and not self._stop.is_set():
                try:
                    self.apply_batch(events)
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
