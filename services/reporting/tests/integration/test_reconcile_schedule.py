"""Several reporting replicas, one scheduled reconciliation per interval: the slot is claimed in MongoDB; a
replica starting marks failed only the runs nobody keeps alive."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from pymongo import MongoClient

from reporting.reconcile.result import RunResult
from reporting.reconcile.runner import STALE_AFTER
from reporting.reconcile.store import COLLECTION, INTERRUPTED, ResultStore


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


def test_a_replica_starting_fails_only_the_runs_whose_heartbeat_went_stale(mongodb_uri: str) -> None:
    client: MongoClient[dict[str, object]] = MongoClient(mongodb_uri, tz_aware=True)
    try:
        db = client[f"reconcile-interrupted-{uuid.uuid4().hex[:8]}"]
        store = ResultStore(db)  # type: ignore[arg-type]
        now = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
        fresh = RunResult("fresh", "schedule", now - timedelta(minutes=10), owner="replica-b",
                          heartbeat_at=now - timedelta(seconds=20))
        stale = RunResult("stale", "request", now - timedelta(minutes=9), owner="replica-c",
                          heartbeat_at=now - STALE_AFTER - timedelta(seconds=1))
        done = RunResult("done", "request", now - timedelta(hours=1)).failed(now - timedelta(hours=1), "boom")
        for run in (fresh, stale, done):
            store.save(run)
        # Stored before heartbeats existed: only the start tells its age.
        legacy = {k: v for k, v in stale.as_json().items() if k not in ("owner", "heartbeat_at")}
        db[COLLECTION].insert_one({**legacy, "_id": "legacy", "run_id": "legacy"})

        store.heartbeat("stale", now - STALE_AFTER - timedelta(seconds=1))  # its owner's last beat, long ago
        store.heartbeat("done", now)  # a finished run is not made "running" again, nor touched otherwise
        store.interrupted(older_than=now - STALE_AFTER)  # replica A restarts

        runs = {r.run_id: r for r in store.history()}
        assert runs["fresh"].outcome == "running" and runs["fresh"].error is None  # B's run is under way
        assert runs["stale"].outcome == "failed" and runs["stale"].error == INTERRUPTED
        assert runs["legacy"].outcome == "failed" and runs["legacy"].error == INTERRUPTED
        assert (runs["done"].error, runs["done"].heartbeat_at) == ("boom", now - timedelta(hours=1))

        store.heartbeat("fresh", now + STALE_AFTER)  # B keeps beating: a later restart leaves it alone too
        store.interrupted(older_than=now + timedelta(seconds=30))
        assert {r.run_id: r.outcome for r in store.history()}["fresh"] == "running"
        client.drop_database(db.name)
    finally:
        client.close()
