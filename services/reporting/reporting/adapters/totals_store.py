"""Totals in MongoDB, applied exactly once per event: the event id and the increments commit together."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from reporting.domain.totals import increments, scopes_of

Doc = dict[str, Any]


class TotalsStore:
    def __init__(self, db: Database[Doc]) -> None:
        self.db = db
        self.totals = db["totals"]
        self.processed = db["processed_events"]

    def apply(self, event: Doc) -> bool:
        """Adds a CaseRegistered to its rows; False when the event was already counted."""
        if event["event_type"] != "CaseRegistered":
            return False
        inc = increments(event)

        def write(session: ClientSession) -> None:
            self.processed.insert_one({"_id": event["event_id"], "at": datetime.now(UTC)}, session=session)
            for level, code in scopes_of(event):
                self.totals.update_one(
                    {"_id": f"{level}:{code}"},
                    {"$inc": inc, "$set": {"level": level, "code": code}},
                    upsert=True,
                    session=session,
                )

        try:
            with self.db.client.start_session() as session:
                session.with_transaction(write)
        except DuplicateKeyError:
            return False
        return True

    def get(self, level: str, code: str) -> Doc | None:
        return self.totals.find_one({"_id": f"{level}:{code}"}, {"_id": 0})

    def children(self, level: str, code_prefix: str) -> list[Doc]:
        query = {"level": level, "code": {"$regex": f"^{code_prefix}"}}
        return list(self.totals.find(query, {"_id": 0}).sort("code", 1))
