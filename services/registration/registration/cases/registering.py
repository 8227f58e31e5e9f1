"""Storing new registrations: case, CaseRegistered, AuditRecorded and the idempotency key in one transaction,
one registration at a time or a whole group at once (see ``group_commit``).

One case per citizen per campaign is guaranteed by a unique index; receipt numbers come from a
counter per province and Buddhist-Era year, reserved for a whole group with one increment.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from pymongo import ReturnDocument
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from contracts import codec
from contracts.logs import current_correlation_id
from registration.cases.docs import Doc, case_doc, case_from_doc
from registration.cases.events import AUDIT_EVENTS, CASE_EVENTS, case_registered
from registration.cases.model import NewCase
from registration.kernel import admin_areas
from registration.kernel.receipts import be_year, receipt_counter_key, receipt_number, thai_date


def _only_duplicates(exc: DuplicateKeyError | BulkWriteError) -> bool:
    """insert_many reports a unique-index collision as a BulkWriteError, not a DuplicateKeyError."""
    if isinstance(exc, DuplicateKeyError):
        return True
    errors = exc.details.get("writeErrors", [])
    return bool(errors) and all(e.get("code") == 11000 for e in errors)


class AlreadyRegistered(Exception):
    def __init__(self, existing: Doc) -> None:
        super().__init__(existing["receipt_no"])
        self.existing = existing


class IdempotencyKeyReused(Exception):
    """The key was first used with a different request body."""


class _ReceiptTaken(Exception):
    """A duplicate key that is neither the citizen's case nor the idempotency key: the receipt number."""


@dataclass(frozen=True)
class IdempotencyClaim:
    key: str  # already scoped to the caller, so one client's key cannot replay another's result
    body_hash: str


@dataclass(frozen=True)
class Registered:
    case_id: str
    receipt_no: str
    excessive_interest: bool

    def as_doc(self) -> Doc:
        return {"case_id": self.case_id, "receipt_no": self.receipt_no, "excessive_interest": self.excessive_interest}


@dataclass
class Pending:
    case: NewCase
    audit: Callable[[str], codec.Event]
    claim: IdempotencyClaim | None
    now: datetime
    case_id: str = field(default_factory=lambda: f"c-{uuid.uuid4().hex}")
    receipt_no: str | None = None  # kept when a failed group is retried alone, so numbers are not wasted
    # Taken in the request's thread: the group-commit writer that stores it runs with no request bound.
    correlation_id: str | None = field(default_factory=current_correlation_id)


def outbox_doc(topic: str, event: codec.Event, now: datetime, seq: int, correlation_id: str | None = None) -> Doc:
    """``correlation_id`` beside the event, not in it (schemas stay as they are); the relay sends it as a
    Kafka header. Left out, it is the one bound to the caller's request."""
    return {"_id": event["event_id"], "topic": topic, "event": event, "seq": seq,
            "created_at": now, "sent": False, "sent_at": None,
            "correlation_id": correlation_id or current_correlation_id()}


@dataclass
class _Docs:
    case: Doc
    outbox: list[Doc]
    key: Doc | None
    result: Registered


def replayed(stored: Doc, claim: IdempotencyClaim) -> Registered:
    if stored["body_hash"] != claim.body_hash:
        raise IdempotencyKeyReused(claim.key)
    return Registered(**stored["response"])


@dataclass(frozen=True)
class Collections:
    """Where a registration is written: the case, its outbox events, the receipt counters, the idempotency keys."""

    cases: Collection[Doc]
    outbox: Collection[Doc]
    counters: Collection[Doc]
    idempotency: Collection[Doc]


class RegistrationWriter:
    """Given what it writes to and nothing more, so the case repository that owns it is never referred back to.

    ``writes`` returns the write lock of the moment: the repository turns it into a real lock once it knows it
    runs on the dev server (see ``CaseRepository._guard_dev_server``); ``next_seq`` orders outbox entries."""

    def __init__(self, collections: Collections, *, campaign: str,
                 writes: Callable[[], AbstractContextManager[object]], next_seq: Callable[[], int]) -> None:
        self.collections = collections
        self.campaign = campaign
        self.writes = writes
        self.next_seq = next_seq

    def _find_by_citizen(self, citizen_id: str) -> Doc | None:
        return self.collections.cases.find_one({"campaign": self.campaign, "citizen_id": citizen_id})

    def _reserve_receipts(self, province_code: str, now: datetime, count: int) -> list[str]:
        year = be_year(thai_date(now))
        counter = self.collections.counters.find_one_and_update(
            {"_id": receipt_counter_key(province_code, year)}, {"$inc": {"n": count}},
            upsert=True, return_document=ReturnDocument.AFTER,
        )
        assert counter is not None  # upsert with ReturnDocument.AFTER always returns the document
        last = int(counter["n"])
        return [receipt_number(province_code, year, n) for n in range(last - count + 1, last + 1)]

    def _docs(self, p: Pending) -> _Docs:
        assert p.receipt_no is not None
        doc = case_doc(p.case_id, p.receipt_no, self.campaign, p.case, p.now, admin_areas.data_version())
        result = Registered(p.case_id, p.receipt_no, doc["excessive_interest"])
        seq = self.next_seq()
        outbox = [outbox_doc(CASE_EVENTS, case_registered(case_from_doc(doc)), p.now, seq, p.correlation_id),
                  outbox_doc(AUDIT_EVENTS, p.audit(p.case_id), p.now, seq + 1, p.correlation_id)]
        key = None if p.claim is None else {"_id": p.claim.key, "body_hash": p.claim.body_hash,
                                             "response": result.as_doc(), "created_at": p.now}
        return _Docs(doc, outbox, key, result)

    def _insert(self, docs: Sequence[_Docs]) -> None:
        keys = [d.key for d in docs if d.key is not None]
        outbox = [o for d in docs for o in d.outbox]

        into = self.collections

        def write(session: ClientSession) -> None:
            # Keys first: whoever can see a case (the dev server reads uncommitted) sees its key too.
            if keys:
                into.idempotency.insert_many(keys, session=session)
            into.cases.insert_many([d.case for d in docs], session=session)
            into.outbox.insert_many(outbox, session=session)

        with into.cases.database.client.start_session() as session:
            session.with_transaction(write)

    def commit_one(self, p: Pending) -> Registered:
        for _ in range(3):
            with self.writes():
                existing = self._find_by_citizen(p.case.citizen_id)
                if existing is not None:
                    return self._first_result(p)
                if p.receipt_no is None:
                    p.receipt_no = self._reserve_receipts(p.case.province_code, p.now, 1)[0]
                docs = self._docs(p)
                try:
                    self._insert([docs])
                    return docs.result
                except (DuplicateKeyError, BulkWriteError) as exc:
                    if not _only_duplicates(exc):
                        raise
                    try:
                        return self._first_result(p)  # a concurrent request won: a retry, or the same citizen
                    except _ReceiptTaken:
                        p.receipt_no = None  # the counter was reset or rolled back under us
        raise RuntimeError("no free receipt number after 3 attempts")

    def _first_result(self, p: Pending) -> Registered:
        """The earlier request's result when this is a retry of it; else AlreadyRegistered."""
        stored = self.collections.idempotency.find_one({"_id": p.claim.key}) if p.claim else None
        if stored is not None and p.claim is not None:
            return replayed(stored, p.claim)
        found = self._find_by_citizen(p.case.citizen_id)
        if found is None:
            raise _ReceiptTaken
        raise AlreadyRegistered(found)

    def commit_batch(self, batch: Sequence[Pending]) -> list[Registered | Exception]:
        """Settles retries and second submissions with two reads for the whole batch, then stores the
        rest in one transaction. Raises if that transaction fails (the caller retries one by one)."""
        with self.writes():
            keys = [p.claim.key for p in batch if p.claim]
            stored = {d["_id"]: d for d in self.collections.idempotency.find({"_id": {"$in": keys}})} if keys else {}
            citizens = [p.case.citizen_id for p in batch]
            existing = {d["citizen_id"]: d for d in self.collections.cases.find(
                {"campaign": self.campaign, "citizen_id": {"$in": citizens}})}
            first: dict[str, Pending] = {}  # citizen ID or idempotency key -> the pending that stores it
            for p in batch:
                if not self._settled(p, stored, existing, first):
                    first[p.case.citizen_id] = p
                    if p.claim is not None:
                        first[p.claim.key] = p
            fresh = [p for p in batch if first.get(p.case.citizen_id) is p]
            by_province: dict[str, list[Pending]] = {}
            for p in fresh:
                if p.receipt_no is None:
                    by_province.setdefault(p.case.province_code, []).append(p)
            for province, group in by_province.items():
                for p, receipt in zip(group, self._reserve_receipts(province, group[0].now, len(group)), strict=True):
                    p.receipt_no = receipt
            docs = {p.case_id: self._docs(p) for p in fresh}
            if docs:
                self._insert(list(docs.values()))
        return [self._outcome(p, docs, stored, existing, first) for p in batch]

    @staticmethod
    def _settled(p: Pending, stored: dict[str, Doc], existing: dict[str, Doc], first: dict[str, Pending]) -> bool:
        """Whether ``p`` needs no insert: a retry, a second submission, or a duplicate within the batch."""
        claimed = p.claim is not None and (p.claim.key in stored or p.claim.key in first)
        return claimed or p.case.citizen_id in existing or p.case.citizen_id in first

    def _outcome(self, p: Pending, docs: dict[str, _Docs], stored: dict[str, Doc], existing: dict[str, Doc],
                 first: dict[str, Pending]) -> Registered | Exception:
        if p.case_id in docs:
            return docs[p.case_id].result
        try:
            if p.claim is not None and p.claim.key in stored:
                return replayed(stored[p.claim.key], p.claim)
            if p.claim is not None and p.claim.key in first:
                earlier = docs[first[p.claim.key].case_id]
                assert earlier.key is not None
                return replayed(earlier.key, p.claim)
        except IdempotencyKeyReused as reused:
            return reused
        if p.case.citizen_id in existing:
            return AlreadyRegistered(existing[p.case.citizen_id])
        return AlreadyRegistered(docs[first[p.case.citizen_id].case_id].case)
