"""Cases and their outbox in MongoDB: a change and its events (case facts, audit) commit together or not at all."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime

from pymongo import ASCENDING
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import OperationFailure

from contracts import codec
from contracts.outbox_retention import ensure_retention_index
from registration.cases.case import Case
from registration.cases.docs import Doc, case_from_doc, changed_fields
from registration.cases.events import AUDIT_EVENTS
from registration.cases.model import NewCase
from registration.cases.registering import (
    AlreadyRegistered,
    Collections,
    IdempotencyClaim,
    IdempotencyKeyReused,
    Pending,
    Registered,
    RegistrationWriter,
    outbox_doc,
    replayed,
)
from registration.outbox.group_commit import GroupCommit

__all__ = ["AlreadyRegistered", "CaseRepository", "IdempotencyClaim", "IdempotencyKeyReused", "Registered",
           "StaleRevision"]


class StaleRevision(Exception):
    """The case changed between reading it and writing the change; read again and retry."""


class CaseRepository:
    def __init__(self, db: Database[Doc], *, campaign: str = "2569", idempotency_ttl_s: int = 86_400,
                 max_group: int = 64) -> None:
        self.db = db
        self.campaign = campaign
        self.idempotency_ttl_s = idempotency_ttl_s
        self.cases = db["cases"]
        self.outbox = db["outbox"]
        self.counters = db["counters"]
        self.idempotency = db["idempotency_keys"]
        self.writes: AbstractContextManager[object] = nullcontext()
        self._writer = RegistrationWriter(Collections(self.cases, self.outbox, self.counters, self.idempotency),
                                          campaign=campaign, writes=lambda: self.writes, next_seq=self.next_seq)
        self._group = GroupCommit(self._writer.commit_batch, self._writer.commit_one, max_batch=max_group,
                                  name="registration-group-commit")

    def start(self) -> None:
        """Registrations from concurrent requests are committed in groups from here on."""
        self._group.start()

    def stop(self) -> None:
        self._group.stop()

    def _guard_dev_server(self) -> None:
        """nx-27017 (the dev stand-in) runs every session on one SQLite connection: concurrent transactions
        nest as savepoints and one's commit or abort takes the other's writes with it. On it, this
        process's writes go one at a time; a real replica set isolates transactions itself. (The relay's
        mark-as-sent may still land inside an open transaction; if that one aborts, the event is simply
        published again, which consumers dedupe.)"""
        if self.db.client.admin.command("buildInfo").get("process") == "nx_27017":
            self.writes = threading.Lock()

    def ensure_indexes(self) -> None:
        self._guard_dev_server()
        for name, info in self.cases.index_information().items():
            if list(info.get("key", ())) == [("citizen_id", 1)]:
                self.cases.drop_index(name)  # from before campaigns: one case per citizen, ever
        self.cases.create_index([("campaign", ASCENDING), ("citizen_id", ASCENDING)], unique=True,
                                name="one_case_per_citizen_per_campaign")
        self.cases.create_index([("receipt_no", ASCENDING)], unique=True, name="receipt_no")
        self.outbox.create_index([("sent", ASCENDING), ("seq", ASCENDING)], name="unsent_in_order")
        ensure_retention_index(self.outbox)  # sent events expire after OUTBOX_RETENTION_DAYS
        try:
            self.idempotency.create_index([("created_at", ASCENDING)], name="expire",
                                          expireAfterSeconds=self.idempotency_ttl_s)
        except OperationFailure:  # the TTL changed: MongoDB wants the index replaced, not redefined
            self.idempotency.drop_index("expire")
            self.idempotency.create_index([("created_at", ASCENDING)], name="expire",
                                          expireAfterSeconds=self.idempotency_ttl_s)

    @staticmethod
    def next_seq() -> int:
        return time.time_ns()

    def replay(self, claim: IdempotencyClaim) -> Registered | None:
        """The first result for this key, or None; raises IdempotencyKeyReused if the body differs."""
        stored = self.idempotency.find_one({"_id": claim.key})
        return None if stored is None else replayed(stored, claim)

    def register(self, case: NewCase, *, audit: Callable[[str], codec.Event],
                 claim: IdempotencyClaim | None = None, now: datetime | None = None) -> Registered:
        """Stores the case, its CaseRegistered event, the audit record built by ``audit(case_id)`` and the
        idempotency key in one transaction. A retry with the same key gets the first result; a second
        case of a citizen raises AlreadyRegistered."""
        pending = Pending(case, audit, claim, now or datetime.now(UTC))
        if self._group.running:
            return self._group.submit(pending)
        return self._writer.commit_one(pending)

    def change(self, case: Case, events: Sequence[tuple[str, codec.Event]]) -> Case:
        """The one way a stored case changes: ``case`` (its revision one above the stored one) and its events
        (``(topic, event)``: case facts, audit records) commit in one transaction, or nothing does.
        Raises StaleRevision if someone else changed the case since it was read: no silent overwrite."""
        now = case.updated_at
        seq = self.next_seq()
        fields = changed_fields(case)

        def write(session: ClientSession) -> None:
            result = self.cases.update_one({"_id": case.id, "revision": case.revision - 1}, {"$set": fields},
                                           session=session)
            if result.matched_count != 1:
                raise StaleRevision(case.id)
            if events:
                self.outbox.insert_many([outbox_doc(topic, event, now, seq + i) for i, (topic, event)
                                         in enumerate(events)], session=session)

        with self.writes, self.db.client.start_session() as session:
            session.with_transaction(write)
        return case

    def find(self, case_id: str) -> Case | None:
        doc = self.cases.find_one({"_id": case_id})
        return None if doc is None else case_from_doc(doc)

    def record(self, event: codec.Event, topic: str = AUDIT_EVENTS) -> None:
        """An outbox entry on its own: the audit record of a read or of a refused request."""
        with self.writes:
            self.outbox.insert_one(outbox_doc(topic, event, datetime.now(UTC), self.next_seq()))

    def find_by_citizen(self, citizen_id: str) -> Case | None:
        """The citizen's case in this campaign."""
        doc = self.cases.find_one({"campaign": self.campaign, "citizen_id": citizen_id})
        return None if doc is None else case_from_doc(doc)

    def find_by_receipt(self, receipt_no: str) -> Case | None:
        doc = self.cases.find_one({"receipt_no": receipt_no})
        return None if doc is None else case_from_doc(doc)
