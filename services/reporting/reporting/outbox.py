"""A small transactional outbox for reporting's own events (the monthly cycle's ReportSubmitted, ReportReturned,
ReportOverdue), modelled on registration's relay (``registration/outbox/relay.py``) without its group commit
and in-flight cap: reporting writes a handful of events a month per unit.

The event is stored in the same MongoDB transaction as the change it reports (``Outbox.add`` inside the
caller's session) and published later by :class:`OutboxRelay` (``contracts.outbox_relay``'s loop); it is marked
sent only once the broker acknowledged it. A crash between the broker's acknowledgement and the mark publishes
it again: delivery is at least once and consumers dedupe on ``event_id``. Every web replica runs a relay; the
lease lets one publish.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from confluent_kafka import Producer
from pymongo import ASCENDING
from pymongo.client_session import ClientSession
from pymongo.database import Database

from contracts import codec
from contracts.lease import Lease
from contracts.logs import correlation_header, current_correlation_id, kafka_logging
from contracts.outbox_relay import Doc, PollingRelay, Record, producer_config
from contracts.outbox_retention import ensure_retention_index

log = logging.getLogger(__name__)
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


class OutboxRelay(PollingRelay):
    """Publishes the outbox in order (the loop is ``contracts.outbox_relay``'s); ``publish_pending`` is also
    called directly by tests."""

    def __init__(self, outbox: Outbox, bootstrap: str, *, interval: float = 1.0, lease: Lease | None = None) -> None:
        self.outbox = outbox
        producer = Producer({**kafka_logging(), **producer_config(bootstrap), "linger.ms": 5})
        super().__init__(producer, interval=interval, thread_name="reporting-outbox", lease=lease, log=log)

    def pending(self) -> Sequence[Doc]:
        return self.outbox.unsent()

    def record(self, doc: Doc) -> Record:
        key, value, headers = codec.encode(doc["topic"], doc["event"], validated=True)
        headers += correlation_header(doc.get("correlation_id"))  # the request that caused it, if any
        return Record(doc["topic"], key, value, headers)

    def mark_sent(self, docs: list[Doc]) -> None:
        self.outbox.mark_sent([doc["_id"] for doc in docs])

    def describe(self, doc: Doc) -> str:
        return str(doc["_id"])
