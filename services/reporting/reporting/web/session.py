"""Server-side web sessions in the reporting database.

The browser holds only a signed, random session id; the verified claims stay here, stored under a hash
of the id (someone who can read the database still cannot present a session). A signed-in session ends
with the access token it was made from (``token_exp``): staff lose page access at most one access-token
lifetime after deactivation, as on registration's pages.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pymongo import ASCENDING
from pymongo.database import Database

Doc = dict[str, Any]


def _key(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class Sessions(Protocol):
    def create(self, data: Doc, ttl_seconds: int) -> str: ...
    def get(self, sid: str) -> Doc | None: ...
    def delete(self, sid: str) -> None: ...


class SessionStore:
    """Sessions in MongoDB; expired ones are deleted by a TTL index."""

    def __init__(self, db: Database[Doc]) -> None:
        self.sessions = db["web_sessions"]

    def ensure_indexes(self) -> None:
        self.sessions.create_index([("expires_at", ASCENDING)], name="expiry", expireAfterSeconds=0)

    def create(self, data: Doc, ttl_seconds: int) -> str:
        now = datetime.now(UTC)
        sid = secrets.token_urlsafe(32)
        self.sessions.insert_one({**data, "_id": _key(sid), "created_at": now,
                                  "expires_at": now + timedelta(seconds=ttl_seconds)})
        return sid

    def get(self, sid: str) -> Doc | None:
        doc = self.sessions.find_one({"_id": _key(sid)})
        if doc is None or doc["expires_at"] <= datetime.now(UTC):
            return None
        return doc

    def delete(self, sid: str) -> None:
        self.sessions.delete_one({"_id": _key(sid)})


class MemorySessions:
    """The same contract in memory, for unit tests of pages (integration tests use MongoDB)."""

    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}

    def create(self, data: Doc, ttl_seconds: int) -> str:
        sid = secrets.token_urlsafe(32)
        self.docs[_key(sid)] = {**data, "expires_at": datetime.now(UTC) + timedelta(seconds=ttl_seconds)}
        return sid

    def get(self, sid: str) -> Doc | None:
        doc = self.docs.get(_key(sid))
        return doc if doc is not None and doc["expires_at"] > datetime.now(UTC) else None

    def delete(self, sid: str) -> None:
        self.docs.pop(_key(sid), None)
