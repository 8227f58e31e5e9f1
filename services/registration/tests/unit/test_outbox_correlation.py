"""The request's correlation id is stored beside each outbox event (never in it) and leaves as a Kafka header;
a registration keeps the id of the request that submitted it even though the group-commit thread stores it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from contracts import codec, registry
from contracts.logs import CORRELATION_HEADER, bound_correlation, correlation_header
from registration.cases.registering import Pending, outbox_doc

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def an_event() -> codec.Event:
    return dict(registry.examples("CaseRegistered", 1)[0][1])


def test_an_outbox_document_keeps_the_bound_id_beside_the_unchanged_event() -> None:
    event = an_event()
    with bound_correlation("req-1"):
        doc = outbox_doc("case-events", event, NOW, 7)
    assert doc["correlation_id"] == "req-1" and doc["event"] == event and "correlation_id" not in doc["event"]
    assert outbox_doc("case-events", event, NOW, 8)["correlation_id"] is None  # nothing bound: no id
    with bound_correlation("req-1"):
        assert outbox_doc("case-events", event, NOW, 9, "given")["correlation_id"] == "given"


def test_a_pending_registration_takes_the_id_in_the_request_thread_not_the_writer_thread() -> None:
    made: list[Pending] = []
    case: Any = None  # not read by this test
    with bound_correlation("req-2"):
        made.append(Pending(case, lambda _case_id: an_event(), None, NOW))
    seen: list[str | None] = []
    writer = threading.Thread(target=lambda: seen.append(outbox_doc("case-events", an_event(), NOW, 1,
                                                                     made[0].correlation_id)["correlation_id"]))
    writer.start()
    writer.join()
    assert seen == ["req-2"]


def test_the_relay_header() -> None:
    assert correlation_header("req-3") == [(CORRELATION_HEADER, b"req-3")]
    assert correlation_header(None) == []  # an old document without the field publishes as before
