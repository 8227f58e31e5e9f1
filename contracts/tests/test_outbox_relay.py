"""The shared polling outbox relay (contracts/outbox_relay.py) with a fake outbox and producer: only what the
broker acknowledged is marked sent, a failed delivery waits for the next round, the loop publishes only while
it holds its lease, survives a failing round, and on stop drops what is queued and gives the lease up."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from contracts.outbox_relay import Doc, PollingRelay, Record
from infra.dev.testing import wait_until

OnDelivery = Callable[[Any, Any], None]


class FakeProducer:
    """Serves delivery callbacks in ``flush``, as confluent-kafka does; ids in ``refused`` fail."""

    def __init__(self, refused: set[str] | None = None) -> None:
        self.refused = refused or set()
        self.produced: list[tuple[str, bytes, bytes, Any]] = []
        self.queued: list[tuple[bytes, OnDelivery]] = []
        self.flushes: list[float] = []
        self.purged = self.closed = False

    def produce(self, topic: str, *, value: bytes, key: bytes, headers: Any, on_delivery: OnDelivery) -> None:
        self.produced.append((topic, key, value, headers))
        self.queued.append((value, on_delivery))

    def flush(self, timeout: float) -> int:
        self.flushes.append(timeout)
        queued, self.queued = self.queued, []
        for value, on_delivery in queued:
            on_delivery("broker down" if value.decode() in self.refused else None, None)
        return 0

    def purge(self) -> None:
        self.purged = True

    def close(self) -> None:
        self.closed = True


class FakeLease:
    def __init__(self, held: bool) -> None:
        self.holding, self.released = held, False

    def held(self) -> bool:
        return self.holding

    def release(self) -> None:
        self.released = True


class ListRelay(PollingRelay):
    """An outbox in a list: ``{"_id", "topic", "sent"}`` documents."""

    def __init__(self, docs: list[Doc], producer: FakeProducer, **options: Any) -> None:
        self.docs = docs
        self.marks: list[list[str]] = []
        self.fail_reads = 0
        super().__init__(producer, thread_name="test-relay", **options)

    def pending(self) -> Sequence[Doc]:
        if self.fail_reads:
            self.fail_reads -= 1
            raise RuntimeError("database down")
        return [d for d in self.docs if not d["sent"]]

    def record(self, doc: Doc) -> Record:
        return Record(doc["topic"], doc["_id"].encode() + b"-key", doc["_id"].encode(), [("h", doc["_id"])])

    def mark_sent(self, docs: list[Doc]) -> None:
        self.marks.append([d["_id"] for d in docs])
        for d in docs:
            d["sent"] = True

    def describe(self, doc: Doc) -> str:
        return f"event {doc['_id']}"


def outbox(*ids: str) -> list[Doc]:
    return [{"_id": i, "topic": "t", "sent": False} for i in ids]


def test_publish_pending_marks_only_what_the_broker_acknowledged(caplog: pytest.LogCaptureFixture) -> None:
    producer = FakeProducer(refused={"e2"})
    relay = ListRelay(outbox("e1", "e2", "e3"), producer, interval=60)
    with caplog.at_level(logging.WARNING):
        assert relay.publish_pending(timeout=3.0) == 2
    assert producer.produced == [("t", b"e1-key", b"e1", [("h", "e1")]), ("t", b"e2-key", b"e2", [("h", "e2")]),
                                 ("t", b"e3-key", b"e3", [("h", "e3")])]
    assert producer.flushes == [3.0]  # waited for the acknowledgements before marking
    assert relay.marks == [["e1", "e3"]]
    assert "delivery of event e2 failed (broker down); it stays in the outbox" in caplog.messages

    producer.refused = set()  # the next round retries what failed, and only that
    assert relay.publish_pending() == 1
    assert relay.marks[-1] == ["e2"]
    assert relay.publish_pending() == 0
    assert producer.flushes == [3.0, 10.0]  # nothing pending: no flush, no mark
    assert len(relay.marks) == 2


def test_an_unacknowledged_delivery_is_not_marked() -> None:
    producer = FakeProducer()
    producer.flush = lambda timeout: 1  # type: ignore[method-assign]  # timed out: no callback served
    relay = ListRelay(outbox("e1"), producer, interval=60)
    assert relay.publish_pending() == 0
    assert relay.marks == [] and not relay.docs[0]["sent"]


def test_the_loop_publishes_when_woken_and_keeps_going_after_a_failed_round() -> None:
    docs = outbox("e1")
    relay = ListRelay(docs, FakeProducer(), interval=60)
    relay.fail_reads = 1
    assert relay.start() is relay
    try:
        assert wait_until(lambda: relay.fail_reads == 0, timeout=5)  # the first round failed ...
        docs += outbox("e2")
        relay.wake()  # ... and the next one, woken long before the interval, publishes
        assert wait_until(lambda: all(d["sent"] for d in docs), timeout=5)
    finally:
        relay.stop()
    assert not relay._thread.is_alive()


def test_only_the_lease_holder_publishes_and_stop_hands_the_lease_over() -> None:
    lease, producer = FakeLease(held=False), FakeProducer()
    relay = ListRelay(outbox("e1"), producer, interval=0.01, lease=lease)
    relay.start()
    try:
        threading.Event().wait(0.2)  # many rounds without the lease
        assert producer.produced == []
        lease.holding = True
        assert wait_until(lambda: relay.marks == [["e1"]], timeout=5)
    finally:
        relay.stop()
    assert lease.released and producer.purged and producer.closed


def test_stop_before_start_still_closes_the_producer() -> None:
    producer = FakeProducer()
    ListRelay([], producer, interval=60).stop()
    assert producer.purged and producer.closed

