"""A small transactional outbox for reporting's own events (the monthly cycle's ReportSubmitted, ReportReturned,
ReportOverdue), modelled on registration's relay (``registration/outbox/relay.py``) without its group commit
and in-flight cap: reporting writes a handful of events a month per unit.

The event is stored in the same MongoDB transaction as the change it reports (``Outbox.add`` inside the
caller's session) and published later by :class:`OutboxRelay`; it is marked sent only once the broker
acknowledged it. A crash between the broker's acknowledgement and the mark publishes it again: delivery is
at least once and consumers dedupe on ``event_id``. Every web replica runs a relay; the lease lets one publish.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import KafkaError, Message, Producer
from pymongo import ASCENDING
from pymongo.client_session import ClientSession
from pymongo.database import Database

from contracts import codec
from contracts.lease import Lease
from contracts.logs import correlation_header, current_correlation_id, kafka_logging
from contracts.outbox_retention import ensure_retention_index

log = logging.getLogger(__name__)
Doc = dict[str, Any]
_LAST = [0]
_SEQ_LOCK = threading.Lock()


def _next_seq() -> int:
    """Nanoseconds since the epoch, strictly growing within the process: the relay's publishing order."""
    with _SEQ_LOCK:
        _LAST[0] = max(_LAST[0] + 1, time.time_ns())
        return _LAST[0]


class Outbox:
    def __init__(self, db: Database[Doc], name: str = "outbox") -> None:
        self.events = db[name]

    def ensure_indexes(self) -> None:
        self.events.create_index([("sent", ASCENDING), ("seq", ASCENDING)], name="unsent_in_order")
        ensure_retention_index(self.events)  # sent events expire after OUTBOX_RETENTION_DAYS

    def add(self, session: ClientSession, topic: str, events: Iterable[codec.Event]) -> None:
        """Inside the caller's transaction: each event was validated by ``codec.new_event``."""
        # The request's correlation id beside the event (not in it: schemas stay as they are), sent as a header.
        correlation_id = current_correlation_id()
        docs = [{"_id": e["event_id"], "topic": topic, "event": e, "sent": False,
                 "seq": _next_seq(), "correlation_id": correlation_id} for e in events]
        if docs:
            self.events.insert_many(docs, session=session)

    def unsent(self, limit: int = 500) -> list[Doc]:
        return list(self.events.find({"sent": {"$eq": False}}).sort("seq", ASCENDING).limit(limit))

    def mark_sent(self, event_ids: list[str]) -> None:
        if event_ids:
            # ``sent_at``: from then on the retention index counts (contracts/outbox_retention.py).
            self.events.update_many({"_id": {"$in": event_ids}}, {"$set": {"sent": True, "sent_at": datetime.now(UTC)}})


class OutboxRelay:
    """Publishes the outbox in order; ``publish_pending`` is also called directly by tests."""

    def __init__(self, outbox: Outbox, bootstrap: str, *, interval: float = 1.0, lease: Lease | None = None) -> None:
        self.outbox = outbox
        self.interval = interval
        self.lease = lease  # several web replicas: only the holder publishes (None: the only relay)
        self.producer = Producer({**kafka_logging(), "bootstrap.servers": bootstrap, "enable.idempotence": True,
                                  "acks": "all", "linger.ms": 5, "message.timeout.ms": 60_000})
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reporting-outbox", daemon=True)

    def publish_pending(self, timeout: float = 10.0) -> int:
        """Hands every unsent event to the producer and waits for the acknowledgements; returns how many were
        acknowledged (and marked sent). A failed one stays unsent for the next round."""
        delivered: list[str] = []

        def acknowledgement(event_id: str) -> Callable[[KafkaError | None, Message], None]:
            def on_delivery(err: KafkaError | None, _msg: Message) -> None:
                if err is None:
                    delivered.append(event_id)
                else:
                    log.warning("delivery of %s failed (%s); it stays in the outbox", event_id, err)
            return on_delivery

        docs = self.outbox.unsent()
        for doc in docs:
            key, value, headers = codec.encode(doc["topic"], doc["event"], validated=True)
            headers += correlation_header(doc.get("correlation_id"))
            self.producer.produce(doc["topic"], value=value, key=key, headers=headers,
                                  on_delivery=acknowledgement(doc["_id"]))
        if docs:
            self.producer.flush(timeout)
        self.outbox.mark_sent(delivered)
        return len(delivered)

    def wake(self) -> None:
        """After a commit, so the event goes out without waiting for the next round."""
        self._wake.set()

    def start(self) -> OutboxRelay:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.producer.purge()  # what is not acknowledged stays unsent in MongoDB for the next start
        self.producer.close()  # no reconnecting to a broker that may be gone
        if self.lease is not None:
            self.lease.release()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.lease is None or self.lease.held():
                    self.publish_pending()
            except Exception:
                log.exception("reporting outbox round failed; retrying")
            self._wake.wait(self.interval)
            self._wake.clear()
