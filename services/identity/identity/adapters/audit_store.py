"""The append-only audit collection. This class has no update or delete method on purpose; the
unique index on ``event_id`` makes redelivered events harmless (insert, duplicate ignored)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from contracts import codec
from contracts.logs import current_correlation_id
from identity.domain.audit import AuditPage, AuditQuery

Doc = dict[str, Any]


class AuditStore:
    def __init__(self, db: Database[Doc]) -> None:
        self._entries: Collection[Doc] = db["audit_entries"]

    def ensure_indexes(self) -> None:
        self._entries.create_index([("event_id", ASCENDING)], unique=True, name="event_id_unique")
        self._entries.create_index([("actor_sub", ASCENDING), ("at", DESCENDING)], name="by_actor")
        self._entries.create_index([("case_id", ASCENDING), ("at", DESCENDING)], name="by_case")
        self._entries.create_index([("at", DESCENDING)], name="by_time")

    def append(self, event: codec.Event) -> bool:
        """Stores a validated AuditRecorded event; False when it was already stored."""
        # ``at`` (a real date) and ``action_area`` ("case" of "case.read") are for searching.
        at = datetime.fromisoformat(event["occurred_at"])
        doc = {**event, "at": at, "action_area": event["action"].split(".")[0]}
        # The request behind it (bound by the consumer from the Kafka header, or by identity's own request), so
        # an auditor can follow one request through every service's logs. Kept beside the event, not in it.
        correlation_id = current_correlation_id()
        if correlation_id is not None:
            doc["correlation_id"] = correlation_id
        try:
            self._entries.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    def search(self, query: AuditQuery) -> AuditPage:
        where: Doc = {}
        if query.actor_sub:
            where["actor_sub"] = query.actor_sub
        if query.case_id:
            where["case_id"] = query.case_id
        if query.action:
            if query.action.endswith("."):
                where["action_area"] = query.action[:-1]
            else:
                where["action"] = query.action
        if query.since or query.until:
            where["at"] = {k: v for k, v in (("$gte", query.since), ("$lte", query.until)) if v is not None}
        total = self._entries.count_documents(where)
        cursor = (
            self._entries.find(where, {"_id": False, "at": False, "action_area": False})
            .sort([("at", DESCENDING), ("event_id", ASCENDING)])
            .skip(query.skip)
            .limit(query.page_size)
        )
        return AuditPage(entries=list(cursor), total=total, query=query)
