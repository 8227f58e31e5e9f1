"""Publishes outbox events to Kafka; an event is marked sent only when the broker acknowledged it.

Runs in its own thread (confluent-kafka and pymongo are blocking). While Kafka is down, events
wait in MongoDB and in the producer's queue; the idempotent producer retries, and a message that
finally times out goes back to the outbox queue so it is tried again: nothing accepted is lost.

At most ``max_in_flight`` events are handed to the producer and not yet acknowledged or failed. During a
long outage the relay stops handing over more once that many are out (the rest wait in MongoDB, where
they are safe anyway) and resumes as deliveries or failures drain the set: memory, the producer's queue
and the size of the "not these" query stay bounded however many registrations arrive meanwhile.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import KafkaError, Message, Producer
from prometheus_client import Counter, Gauge
from pymongo.collection import Collection

from contracts import codec
from contracts.lease import Lease
from contracts.logs import correlation_header, kafka_logging

log = logging.getLogger(__name__)

PUBLISHED = Counter("outbox_events_published_total", "Outbox events acknowledged by Kafka")
FAILED = Counter("outbox_delivery_failures_total", "Outbox deliveries that failed and will be retried")
IN_FLIGHT = Gauge("outbox_events_in_flight", "Outbox events handed to the producer, not yet acknowledged")


def producer_config(bootstrap: str) -> dict[str, Any]:
    return {
        **kafka_logging(),  # librdkafka's lines as JSON, served by the relay's poll
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,  # implies acks=all and ordered, de-duplicated retries
        "acks": "all",
        "linger.ms": 5,
        "message.timeout.ms": 120_000,
        "compression.type": "none",  # lz4/zstd would need extra codecs in aiokafka/Faust consumers
    }


MAX_IN_FLIGHT = 10_000


class OutboxRelay:
    def __init__(self, outbox: Collection[dict[str, Any]], bootstrap: str, *, batch_size: int = 500,
                 max_in_flight: int = MAX_IN_FLIGHT, lease: Lease | None = None) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.outbox = outbox
        self.lease = lease  # None: this relay is the only one (tests, a single replica)
        self.producer = Producer(producer_config(bootstrap))
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self.peak_in_flight = 0  # the most events out at once since start (metrics gauge, tests)
        self._in_flight: set[str] = set()
        self._delivered: list[str] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Called after a commit so new events go out without waiting for the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        self.producer.flush(min(timeout, 5.0))
        self._mark_delivered()
        if self.lease is not None:
            self.lease.release()
        # Whatever is still queued stays unsent in the outbox for the next start, so it can be dropped
        # here; closing stops the producer reconnecting to a broker that may be gone.
        self.producer.purge()
        self.producer.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                handed = self._hand_over_batch()
                self.producer.poll(0.05)
                self._mark_delivered()
            except Exception:
                log.exception("outbox relay cycle failed; retrying")
                handed = 0
                self._stop.wait(1.0)
            if not handed:
                self._wake.wait(0.2)
                self._wake.clear()

    @property
    def in_flight(self) -> int:
        with self._lock:
            return len(self._in_flight)

    def _hand_over_batch(self) -> int:
        if self.lease is not None and not self.lease.held():
            return 0  # another replica publishes; this one stands by
        with self._lock:
            skip = list(self._in_flight)
        room = min(self.batch_size, self.max_in_flight - len(skip))
        IN_FLIGHT.set(len(skip))
        if room <= 0:
            return 0  # at the cap: wait for acknowledgements or failures (served by poll) to make room
        query = {"sent": False, "_id": {"$nin": skip}} if skip else {"sent": False}
        docs = list(self.outbox.find(query).sort("seq", 1).limit(room))
        for doc in docs:
            # Validated by codec.new_event before the transaction that stored it.
            key, value, headers = codec.encode(doc["topic"], doc["event"], validated=True)
            headers += correlation_header(doc.get("correlation_id"))  # the request that caused it, if any
            with self._lock:
                self._in_flight.add(doc["_id"])
                self.peak_in_flight = max(self.peak_in_flight, len(self._in_flight))
            self._produce(doc["topic"], key, value, headers, doc["_id"])
        IN_FLIGHT.set(self.in_flight)
        return len(docs)

    def _produce(self, topic: str, key: bytes, value: bytes, headers: codec.Headers, event_id: str) -> None:
        def on_delivery(err: KafkaError | None, _msg: Message) -> None:
            with self._lock:
                self._in_flight.discard(event_id)
                if err is None:
                    self._delivered.append(event_id)
            if err is not None:
                FAILED.inc()
                log.warning("delivery of %s failed (%s); it stays in the outbox", event_id, err)

        while True:
            try:
                self.producer.produce(topic, value=value, key=key, headers=headers, on_delivery=on_delivery)
                return
            except BufferError:  # local queue full (long outage): serve callbacks, then retry
                self.producer.poll(0.5)

    def _mark_delivered(self) -> None:
        with self._lock:
            done, self._delivered = self._delivered, []
        if not done:
            return
        try:
            self.outbox.update_many({"_id": {"$in": done}}, {"$set": {"sent": True, "sent_at": datetime.now(UTC)}})
        except Exception:
            with self._lock:  # keep them for the next cycle rather than publish them twice
                self._delivered.extend(done)
            raise
        PUBLISHED.inc(len(done))
