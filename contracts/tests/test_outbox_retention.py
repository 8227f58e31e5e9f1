"""Sent outbox events expire after the retention period; unsent ones never do (on nx-27017, the dev stack's
MongoDB, which deletes expired documents when the collection is next read — MongoDB's TTL monitor does the
same within a minute)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from contracts.outbox_retention import KEY, OutboxRetentionSettings, ensure_retention_index


@pytest.fixture
def outbox(mongodb_uri: str) -> Iterator[Collection[Any]]:
    client: MongoClient[Any] = MongoClient(mongodb_uri)
    yield client[f"ret_{uuid.uuid4().hex[:10]}"]["outbox"]
    client.close()


def ttl_seconds(outbox: Collection[Any]) -> list[int]:
    return [info["expireAfterSeconds"] for info in outbox.index_information().values()
            if list(info["key"]) == KEY and "expireAfterSeconds" in info]


def test_retention_defaults_to_seven_days_and_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OUTBOX_RETENTION_DAYS", raising=False)
    assert OutboxRetentionSettings().retention == timedelta(days=7)
    monkeypatch.setenv("OUTBOX_RETENTION_DAYS", "0.5")
    assert OutboxRetentionSettings().retention == timedelta(hours=12)
    monkeypatch.setenv("OUTBOX_RETENTION_DAYS", "0")
    with pytest.raises(ValueError, match="greater than 0"):
        OutboxRetentionSettings()


def test_the_ttl_index_follows_the_retention(outbox: Collection[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OUTBOX_RETENTION_DAYS", raising=False)
    ensure_retention_index(outbox)
    assert ttl_seconds(outbox) == [7 * 86_400]
    ensure_retention_index(outbox, timedelta(days=2))  # a changed setting replaces the index
    assert ttl_seconds(outbox) == [2 * 86_400]


def test_a_sent_event_goes_after_the_retention_and_an_unsent_one_stays(outbox: Collection[Any]) -> None:
    ensure_retention_index(outbox, timedelta(days=1))
    now = datetime.now(UTC)
    outbox.insert_many([
        {"_id": "sent-long-ago", "sent": False, "sent_at": None, "seq": 1, "created_at": now - timedelta(days=3)},
        {"_id": "sent-just-now", "sent": False, "sent_at": None, "seq": 2, "created_at": now - timedelta(days=3)},
        {"_id": "never-sent", "sent": False, "sent_at": None, "seq": 3, "created_at": now - timedelta(days=30)},
        {"_id": "never-sent-no-field", "sent": False, "seq": 4},  # reporting's shape before it is sent
    ])
    # Marked sent the way the relays do it: ``sent`` and ``sent_at`` in one $set.
    outbox.update_many({"_id": {"$in": ["sent-long-ago"]}},
                       {"$set": {"sent": True, "sent_at": now - timedelta(days=2)}})
    outbox.update_many({"_id": {"$in": ["sent-just-now"]}}, {"$set": {"sent": True, "sent_at": now}})
    assert sorted(doc["_id"] for doc in outbox.find()) == ["never-sent", "never-sent-no-field", "sent-just-now"]
