"""The polling outbox relay: read the unsent documents, produce them, wait for the broker's acknowledgements,
mark sent only what was acknowledged. A failed delivery stays unsent for the next round; a crash between the
acknowledgement and the mark publishes again (at least once: consumers dedupe on ``event_id``).

Shared by identity's welcome relay and reporting's outbox relay. A service subclasses :class:`PollingRelay` and
supplies what differs: where the pending documents are (``pending``, ``mark_sent``), how one becomes a Kafka
record (``record``: topic, key, value, headers, the correlation id header included if it keeps one) and how
log lines name one (``describe``); its producer, poll interval, thread name, logger and optional lease go
to ``__init__``. Metrics, if any, belong in its ``mark_sent``. Registration's relay pipelines its deliveries
under an in-flight cap instead of flushing each round, so it keeps a loop of its own.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol, Self

from confluent_kafka import KafkaError, Message

from contracts import codec

Doc = dict[str, Any]
_log = logging.getLogger(__name__)


def producer_config(bootstrap: str) -> dict[str, Any]:
    """An outbox relay's producer: nothing is acknowledged before every in-sync replica has it, retries keep
    order without duplicates, and a message undelivered for a minute fails (it stays unsent for the next round)."""
    return {"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "message.timeout.ms": 60_000}


class Record(NamedTuple):
    topic: str
    key: bytes
    value: bytes
    headers: codec.Headers


class RelayProducer(Protocol):
    """What the relay needs of ``confluent_kafka.Producer``."""

    def produce(self, topic: str, *, value: bytes, key: bytes, headers: codec.Headers,
                on_delivery: Callable[[KafkaError | None, Message], None]) -> None: ...

    def flush(self, timeout: float) -> int: ...

    def purge(self) -> None: ...

    def close(self) -> Any: ...


class RelayLease(Protocol):
    """What the relay needs of ``contracts.lease.Lease``."""

    def held(self) -> bool: ...

    def release(self) -> None: ...


class PollingRelay(ABC):
    def __init__(self, producer: RelayProducer, *, interval: float, thread_name: str,
                 lease: RelayLease | None = None, log: logging.Logger = _log) -> None:
        self.producer = producer
        self.interval = interval
        self.lease = lease  # several replicas: only the holder publishes (None: the only relay)
        self.log = log  # the service's logger, so its lines name the service's module
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)

    @abstractmethod
    def pending(self) -> Sequence[Doc]:
        """The documents waiting to be published, in publishing order."""

    @abstractmethod
    def record(self, doc: Doc) -> Record:
        """The Kafka record that publishes ``doc``."""

    @abstractmethod
    def mark_sent(self, docs: list[Doc]) -> None:
        """Called with the documents the broker acknowledged (never empty)."""

    @abstractmethod
    def describe(self, doc: Doc) -> str:
        """Names ``doc`` in log lines (its event id: never personal data)."""

    def publish_pending(self, timeout: float = 10.0) -> int:
        """Hands every pending document to the producer and waits up to ``timeout`` for the acknowledgements;
        marks and returns how many were acknowledged. (Also called directly by tests.)"""
        acknowledged: list[Doc] = []

        def acknowledgement(doc: Doc) -> Callable[[KafkaError | None, Message], None]:
            def on_delivery(err: KafkaError | None, _msg: Message) -> None:
                if err is None:
                    acknowledged.append(doc)
                else:
                    self.log.warning("delivery of %s failed (%s); it stays in the outbox", self.describe(doc), err)
            return on_delivery

        docs = self.pending()
        for doc in docs:
            topic, key, value, headers = self.record(doc)
            self.producer.produce(topic, value=value, key=key, headers=headers, on_delivery=acknowledgement(doc))
        if docs:
            self.producer.flush(timeout)  # serves the delivery callbacks
        if acknowledged:
            self.mark_sent(acknowledged)
        return len(acknowledged)

    def wake(self) -> None:
        """After a commit, so the event goes out without waiting for the next round."""
        self._wake.set()

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():  # still in its flush: the producer is not closed under it from here
            self.log.warning("%s still delivering after %.0f s; left to finish its round", self._thread.name, timeout)
        else:
            self.producer.purge()  # what is unacknowledged stays unsent in MongoDB for the next start
            self.producer.close()  # no reconnecting to a broker that may be gone
        if self.lease is not None:
            self.lease.release()  # another replica takes over at once

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.lease is None or self.lease.held():
                    self.publish_pending()
            except Exception:  # the database or the broker broke: the documents wait in MongoDB
                self.log.exception("%s round failed; retrying", self._thread.name)
            self._wake.wait(self.interval)
            self._wake.clear()
