"""Reporting's outbox stamps ``sent_at`` when it marks an event sent, so the retention index
(contracts/outbox_retention.py) expires sent events and never an unsent one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient

from contracts.outbox_retention import KEY, ensure_retention_index
from reporting.outbox import Outbox


def test_sent_events_get_a_sent_at_and_expire_while_unsent_ones_stay(mongodb_uri: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OUTBOX_RETENTION_DAYS", raising=False)
    client: MongoClient[Any] = MongoClient(mongodb_uri)
    try:
        outbox = Outbox(client[f"ret_{uuid.uuid4().hex[:10]}"], "monthly_outbox")
        outbox.ensure_indexes()
        assert [info.get("expireAfterSeconds") for info in outbox.events.index_information().values()
                if list(info["key"]) == KEY] == [7 * 86_400]
        outbox.events.insert_many([{"_id": f"e{n}", "topic": "report-events", "event": {}, "sent": False, "seq": n}
                                   for n in range(3)])
        outbox.mark_sent(["e0", "e1"])
        sent_at = {doc["_id"]: doc.get("sent_at") for doc in outbox.events.find()}
        assert sent_at["e2"] is None and all(sent_at[e] is not None for e in ("e0", "e1"))
        # Two days on (sent_at moved back rather than waited for), past a one-day retention:
        two_days_ago = datetime.now(UTC) - timedelta(days=2)
        outbox.events.update_many({"_id": {"$in": ["e0", "e1"]}}, {"$set": {"sent_at": two_days_ago}})
        ensure_retention_index(outbox.events, timedelta(days=1))
        assert [doc["_id"] for doc in outbox.unsent()] == ["e2"]
        assert sorted(doc["_id"] for doc in outbox.events.find()) == ["e2"]
    finally:
        client.close()

