"""Registration's outbox gets the retention index with its other indexes (contracts/outbox_retention.py)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pymongo import MongoClient

from contracts.outbox_retention import KEY
from registration.cases.store import CaseRepository


def test_the_outbox_keeps_sent_events_for_the_configured_days(mongodb_uri: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTBOX_RETENTION_DAYS", "3")
    client: MongoClient[Any] = MongoClient(mongodb_uri)
    try:
        repo = CaseRepository(client[f"ret_{uuid.uuid4().hex[:10]}"])
        repo.ensure_indexes()
        ttl = [info.get("expireAfterSeconds") for info in repo.outbox.index_information().values()
               if list(info["key"]) == KEY]
        assert ttl == [3 * 86_400]
    finally:
        client.close()
