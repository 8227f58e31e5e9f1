"""Messages in MongoDB (notify's own database). Writes are acknowledged by the majority before the consumer
commits an offset, so an event whose offset is committed always has its messages on disk.

Uniqueness is the document ``_id`` (``model.message_id``): inserting the same planned message twice is a no-op,
which is what makes redelivered events and restarts safe.

Stand-in gaps (nx-27017), kept inside this adapter: a datetime written by ``$set`` comes back naive and no
longer compares with query datetimes, so the times the sender queries on (due, lease) are also kept as integer
epoch milliseconds (``due_ms``, ``lease_ms``); a sub-document appended by ``$push`` is stored as a JSON string,
so history entries carry ISO strings and are parsed back from either form.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError
from pymongo.write_concern import WriteConcern

from notify.messages.model import DUE_STATES, TRANSITIONS, Channel, Message, State

DUPLICATE_KEY = 11000


INTERNAL = ("_id", "due_ms", "lease_ms")


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _to_doc(message: Message) -> dict[str, Any]:
    doc = {k: v for k, v in vars(message).items() if k != "id"}
    doc["_id"] = message.id
    doc["channel"] = message.channel.value
    doc["state"] = message.state.value
    doc["due_ms"] = _ms(message.next_attempt_at or message.created_at)
    return doc


def _entry(entry: dict[str, Any] | str) -> dict[str, Any]:
    return json.loads(entry) if isinstance(entry, str) else entry


def _from_doc(doc: dict[str, Any]) -> Message:
    fields = {k: v for k, v in doc.items() if k not in INTERNAL}
    fields["next_attempt_at"] = _at(doc["due_ms"])
    fields["created_at"] = fields["created_at"].replace(tzinfo=UTC) if fields["created_at"].tzinfo is None else \
        fields["created_at"]
    fields["history"] = [_entry(e) for e in doc.get("history", [])]
    return Message(id=doc["_id"], **{**fields, "channel": Channel(doc["channel"]), "state": State(doc["state"])})


def _history(now: datetime, state: State, reason: str | None = None) -> dict[str, Any]:
    return {"at": now.isoformat(), "state": state.value, **({"reason": reason} if reason else {})}


class MessageStore:
    def __init__(self, db: Database[dict[str, Any]]) -> None:
        self.messages: Collection[dict[str, Any]] = db.get_collection(
            "messages", write_concern=WriteConcern(w="majority", j=True))

    def ensure_indexes(self) -> None:
        self.messages.create_index([("channel", ASCENDING), ("state", ASCENDING), ("due_ms", ASCENDING)])
        self.messages.create_index([("case_id", ASCENDING), ("created_at", ASCENDING)])
        self.messages.create_index([("unit_code", ASCENDING), ("created_at", ASCENDING)])
        self.messages.create_index([("provider_ref", ASCENDING)])
        self.messages.create_index([("channel", ASCENDING), ("state", ASCENDING), ("lease_ms", ASCENDING)])

    def add_all(self, messages: Iterable[Message]) -> int:
        """Stores the messages not stored before; returns how many were new. Durable when it returns."""
        docs = [_to_doc(m) for m in messages]
        if not docs:
            return 0
        try:
            return len(self.messages.insert_many(docs, ordered=False).inserted_ids)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            return len(docs) - len(errors)

    def get(self, message_id: str) -> Message | None:
        doc = self.messages.find_one({"_id": message_id})
        return _from_doc(doc) if doc else None

    def claim(self, channel: Channel, now: datetime, *, lease: timedelta, limit: int = 1) -> list[Message]:
        """Takes up to ``limit`` due messages of ``channel`` into ``sending`` for ``lease``, oldest due first. A
        message left in ``sending`` by a sender that died is taken again once its lease has run out (its
        provider key makes the retry safe). Two steps: a cheap indexed read of candidate ids, then a
        conditional update of each, so two senders never take the same message."""
        now_ms = _ms(now)
        due = {"state": {"$in": [s.value for s in DUE_STATES]}, "due_ms": {"$lte": now_ms}}
        stale = {"state": State.SENDING.value, "lease_ms": {"$lte": now_ms}}
        ids = [d["_id"] for d in self.messages.find({"channel": channel.value, **due}, {"_id": 1})
               .sort("due_ms", ASCENDING).limit(limit)]
        if len(ids) < limit:
            ids += [d["_id"] for d in self.messages.find({"channel": channel.value, **stale}, {"_id": 1})
                    .limit(limit - len(ids))]
        claimed = []
        take = {"$set": {"state": State.SENDING.value, "lease_ms": _ms(now + lease)}, "$inc": {"attempts": 1},
                "$push": {"history": _history(now, State.SENDING)}}
        for message_id in ids:
            # No $or here: the stand-in scans the collection for an $or even beside an _id.
            doc = self.messages.find_one_and_update({"_id": message_id, **due}, take,
                                                    return_document=ReturnDocument.AFTER) or \
                self.messages.find_one_and_update({"_id": message_id, **stale}, take,
                                                  return_document=ReturnDocument.AFTER)
            if doc is not None:
                claimed.append(_from_doc(doc))
        return claimed

    def move(self, message_id: str, to: State, now: datetime, **fields: Any) -> bool:
        """Moves a message to ``to`` if the transition table allows it from its current state."""
        allowed_from = [s.value for s, targets in TRANSITIONS.items() if to in targets]
        due: datetime | None = fields.pop("next_attempt_at", None)
        if due is not None:
            fields["due_ms"] = _ms(due)
        result = self.messages.update_one(
            {"_id": message_id, "state": {"$in": allowed_from}},
            {"$set": {"state": to.value, **fields}, "$push": {"history": _history(now, to, fields.get("reason"))}},
        )
        return result.modified_count == 1

    def set_receipt(self, message_id: str, receipt: str) -> None:
        self.messages.update_one({"_id": message_id}, {"$set": {"receipt": receipt}})

    def by_provider_ref(self, channel: Channel, provider_ref: str) -> Message | None:
        doc = self.messages.find_one({"channel": channel.value, "provider_ref": provider_ref})
        return _from_doc(doc) if doc else None

    def for_case(self, case_id: str, limit: int = 200) -> list[Message]:
        return [_from_doc(d) for d in self.messages.find({"case_id": case_id}).sort("created_at", 1).limit(limit)]

    def for_unit(self, unit_code: str, limit: int = 200) -> list[Message]:
        return [_from_doc(d) for d in self.messages.find({"unit_code": unit_code}).sort("created_at", 1).limit(limit)]

    def count(self, **query: Any) -> int:
        return self.messages.count_documents(query)
