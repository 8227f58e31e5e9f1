"""Cases and their outbox in MongoDB: the case and its event commit together or not at all."""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from registration.domain.case import CASE_EVENTS, NewCase, case_registered
from registration.domain.receipts import be_year, receipt_counter_key, receipt_number

Doc = dict[str, Any]


class AlreadyRegistered(Exception):
    def __init__(self, existing: Doc) -> None:
        super().__init__(existing["receipt_no"])
        self.existing = existing


class CaseRepository:
    def __init__(self, db: Database[Doc]) -> None:
        self.db = db
        self.cases = db["cases"]
        self.outbox = db["outbox"]
        self.counters = db["counters"]

    def ensure_indexes(self) -> None:
        self.cases.create_index([("citizen_id", ASCENDING)], unique=True, name="one_case_per_citizen")
        self.cases.create_index([("receipt_no", ASCENDING)], unique=True, name="receipt_no")
        self.outbox.create_index([("sent", ASCENDING), ("seq", ASCENDING)], name="unsent_in_order")

    def _next_receipt(self, province_code: str, today: date) -> str:
        year = be_year(today)
        counter = self.counters.find_one_and_update(
            {"_id": receipt_counter_key(province_code, year)},
            {"$inc": {"n": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert counter is not None  # upsert with ReturnDocument.AFTER always returns the document
        return receipt_number(province_code, year, int(counter["n"]))

    def register(self, case: NewCase, *, now: datetime | None = None) -> Doc:
        """Stores the case and its CaseRegistered event in one transaction."""
        existing = self.find_by_citizen(case.citizen_id)
        if existing is not None:
            raise AlreadyRegistered(existing)
        now = now or datetime.now(UTC)
        case_id = f"c-{uuid.uuid4().hex}"
        doc: Doc = {
            "_id": case_id,
            "receipt_no": self._next_receipt(case.province_code, now.date()),
            "created_at": now,
            **asdict(case),
        }
        event = case_registered(case_id, case)
        outbox_doc = {"_id": event["event_id"], "topic": CASE_EVENTS, "event": event,
                      "seq": time.time_ns(), "created_at": now, "sent": False, "sent_at": None}

        def write(session: ClientSession) -> None:
            self.cases.insert_one(doc, session=session)
            self.outbox.insert_one(outbox_doc, session=session)

        try:
            with self.db.client.start_session() as session:
                session.with_transaction(write)
        except DuplicateKeyError:
            # A concurrent submission by the same citizen won the race: answer with its case.
            found = self.find_by_citizen(case.citizen_id)
            if found is None:
                raise
            raise AlreadyRegistered(found) from None
        return doc

    def find_by_citizen(self, citizen_id: str) -> Doc | None:
        return self.cases.find_one({"citizen_id": citizen_id})

    def find_by_receipt(self, receipt_no: str) -> Doc | None:
        return self.cases.find_one({"receipt_no": receipt_no})
