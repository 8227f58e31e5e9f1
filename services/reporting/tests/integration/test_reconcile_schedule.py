"""Several reporting replicas, one scheduled reconciliation per interval: the slot is claimed in MongoDB."""

from __future__ import annotations

import uuid

from pymongo import MongoClient

from reporting.reconcile.store import ResultStore


def test_one_replica_wins_each_scheduled_run(mongodb_uri: str) -> None:
    client: MongoClient[dict[str, object]] = MongoClient(mongodb_uri)
    try:
        db = client[f"reconcile-schedule-{uuid.uuid4().hex[:8]}"]
        first, second = ResultStore(db), ResultStore(db)  # type: ignore[arg-type]
        assert first.claim_scheduled_run(1_000.0, 60) is True
        assert second.claim_scheduled_run(1_001.0, 60) is False  # the same slot: already taken
        assert first.claim_scheduled_run(1_030.0, 60) is False  # not due yet, even for the winner
        assert second.claim_scheduled_run(1_061.0, 60) is True  # the next slot, whoever ticks first
        assert first.claim_scheduled_run(1_062.0, 60) is False
        client.drop_database(db.name)
    finally:
        client.close()
