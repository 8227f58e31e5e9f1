"""Reconciliation results in reporting's MongoDB: the last runs (a short history), newest first.

nx-27017 (the dev stand-in) notes: equality is written ``{"$eq": v}`` and no ``$or`` is used (both are slow
paths there, docs/benchmarks.md); the collection holds at most ``keep`` runs, so reading it is small anyway.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from reporting.reconcile.result import RunResult

COLLECTION = "reconciliations"
SCHEDULE = "reconciliation_schedule"
SLOT_ID = "next-scheduled-run"
INTERRUPTED = "ถูกขัดจังหวะเมื่อบริการหยุด / interrupted: the service stopped"


class ResultStore:
    def __init__(self, db: Database[dict[str, Any]], keep: int = 20) -> None:
        self.runs: Collection[dict[str, Any]] = db[COLLECTION]
        self.schedule: Collection[dict[str, Any]] = db[SCHEDULE]
        self.keep = keep

    def ensure_indexes(self) -> None:
        self.runs.create_index([("started_at", DESCENDING)], name="newest_first")

    def save(self, result: RunResult) -> None:
        """Inserts or replaces the run, then forgets runs beyond the newest ``keep``."""
        self.runs.replace_one({"_id": {"$eq": result.run_id}}, {"_id": result.run_id, **result.as_json()},
                              upsert=True)
        old = [doc["_id"] for doc in self.runs.find({}, {"_id": 1}).sort("started_at", DESCENDING).skip(self.keep)]
        for run_id in old:
            self.runs.delete_one({"_id": {"$eq": run_id}})

    def heartbeat(self, run_id: str, at: datetime) -> None:
        """The owner's sign of life for a run under way (a finished run is left as it is)."""
        self.runs.update_one({"_id": {"$eq": run_id}, "outcome": {"$eq": "running"}}, {"$set": {"heartbeat_at": at}})

    def interrupted(self, older_than: datetime) -> None:
        """At start: runs still "running" whose owner has given no sign of life since ``older_than`` were
        abandoned by a process that stopped mid-run. Another replica's run under way keeps its heartbeat fresh
        (``runner.HEARTBEAT``), so it is left alone. Runs stored before heartbeats existed go by ``started_at``."""
        failed = {"$set": {"outcome": "failed", "error": INTERRUPTED}}
        self.runs.update_many({"outcome": {"$eq": "running"}, "heartbeat_at": {"$lt": older_than}}, failed)
        self.runs.update_many({"outcome": {"$eq": "running"}, "heartbeat_at": {"$exists": False},
                               "started_at": {"$lt": older_than}}, failed)

    def history(self, limit: int = 20) -> list[RunResult]:
        return [RunResult.from_json(doc) for doc in self.runs.find({}).sort("started_at", DESCENDING).limit(limit)]

    def last(self) -> RunResult | None:
        """The newest finished run (a run under way is shown apart, by the runner)."""
        for result in self.history():
            if result.outcome != "running":
                return result
        return None

    def claim_scheduled_run(self, now: float, interval_seconds: float) -> bool:
        """True for one replica per interval: every reporting replica ticks, the first past the due time wins it
        and sets the next one. (Insert, then a conditional update: the dev stand-in takes no ``_id`` from an
        upsert's filter.)"""
        try:
            self.schedule.insert_one({"_id": SLOT_ID, "due_at": now + interval_seconds})
            return True
        except DuplicateKeyError:
            pass
        won = self.schedule.update_one({"_id": {"$eq": SLOT_ID}, "due_at": {"$lte": now}},
                                       {"$set": {"due_at": now + interval_seconds}})
        return won.matched_count == 1
