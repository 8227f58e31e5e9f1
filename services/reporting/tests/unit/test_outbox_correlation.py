"""Reporting's own outbox stores the request's correlation id beside each event and its relay sends it as the
Kafka header ``correlation_id``; an event written with no request bound goes out without one."""

from __future__ import annotations

from typing import Any

from contracts import codec, registry
from contracts.logs import CORRELATION_HEADER, bound_correlation
from reporting.outbox import Outbox, OutboxRelay


class FakeCollection:
    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []

    def insert_many(self, docs: list[dict[str, Any]], session: object = None) -> None:
        self.docs += docs


class FakeProducer:
    def __init__(self) -> None:
        self.headers: list[dict[str, bytes]] = []

    def produce(self, topic: str, value: bytes, key: bytes, headers: Any, on_delivery: Any) -> None:
        self.headers.append(dict(headers))
        on_delivery(None, None)

    def flush(self, timeout: float) -> int:
        return 0


def submitted() -> codec.Event:
    return dict(registry.examples("ReportSubmitted", 1)[0][1])


def test_the_outbox_keeps_the_id_beside_the_event_and_the_relay_sends_it_as_a_header() -> None:
    collection = FakeCollection()
    outbox = Outbox({"outbox": collection})  # type: ignore[arg-type]
    with bound_correlation("req-9"):
        outbox.add(None, "report-events", [submitted()])  # type: ignore[arg-type]
    outbox.add(None, "report-events", [submitted()])  # type: ignore[arg-type]
    assert [d["correlation_id"] for d in collection.docs] == ["req-9", None]
    assert all("correlation_id" not in d["event"] for d in collection.docs)

    relay = OutboxRelay.__new__(OutboxRelay)  # without __init__'s real producer: no broker in a unit test
    producer, marked = FakeProducer(), []
    relay.producer = producer  # type: ignore[assignment]
    relay.outbox = type("Unsent", (), {"unsent": lambda self: collection.docs,
                                       "mark_sent": lambda self, ids: marked.extend(ids)})()  # type: ignore[assignment]
    assert relay.publish_pending() == 2
    assert [h.get(CORRELATION_HEADER) for h in producer.headers] == [b"req-9", None]
