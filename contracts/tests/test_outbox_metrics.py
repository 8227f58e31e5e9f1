"""An outbox's backlog read at scrape time from MongoDB (nx-27017 here), and a store that does not answer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from pymongo import MongoClient
from pymongo.collection import Collection

from contracts.outbox_metrics import OutboxCollector, backlog
from infra.dev.testing import free_port

NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


@pytest.fixture
def outbox(mongodb_uri: str) -> Iterator[Collection[dict[str, Any]]]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    collection = client[f"outbox_{uuid.uuid4().hex[:10]}"]["outbox"]
    collection.create_index([("sent", 1), ("seq", 1)])
    yield collection
    client.close()


def event_at(seq: int, minutes_ago: int, sent: bool) -> dict[str, Any]:
    return {"_id": str(uuid.uuid4()), "seq": seq, "sent": sent,
            "event": {"occurred_at": (NOW - timedelta(minutes=minutes_ago)).isoformat()}}


def test_backlog_counts_the_unsent_and_ages_the_oldest_by_publishing_order(outbox: Collection[Any]) -> None:
    assert backlog(outbox, NOW) == (0, 0.0)
    outbox.insert_many([event_at(1, 90, sent=True), event_at(2, 30, sent=False), event_at(3, 5, sent=False)])
    assert backlog(outbox, NOW) == (2, 30 * 60.0)

    collector = OutboxCollector(clock=lambda: NOW)
    registry = CollectorRegistry()
    registry.register(collector)
    forget = collector.watch("registration", outbox)
    scraped = generate_latest(registry).decode()
    assert 'outbox_unsent_events{service="registration"} 2.0' in scraped
    assert 'outbox_oldest_unsent_age_seconds{service="registration"} 1800.0' in scraped
    forget()
    assert 'service="registration"' not in generate_latest(registry).decode()


def test_a_store_that_does_not_answer_leaves_the_series_out_within_the_timeout() -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(f"mongodb://127.0.0.1:{free_port()}/",
                                                      serverSelectionTimeoutMS=30_000)
    collector = OutboxCollector(timeout=0.3)
    registry = CollectorRegistry()
    registry.register(collector)
    collector.watch("reporting", client["x"]["outbox"])
    started = datetime.now(UTC)
    scraped = generate_latest(registry).decode()
    assert (datetime.now(UTC) - started).total_seconds() < 3  # the scrape's bound, not the client's 30 s
    assert "# TYPE outbox_unsent_events gauge" in scraped and 'service="reporting"' not in scraped
    client.close()
