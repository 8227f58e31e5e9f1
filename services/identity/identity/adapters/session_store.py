"""Browser sessions of identity's pages, server-side in MongoDB: the cookie holds only a random
token, so signing out (or an administrator deactivating the account) ends the session for real."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database

from contracts.claims import Claims

Doc = dict[str, Any]


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()  # a leaked database does not reveal live cookies


class SessionStore:
    def __init__(self, db: Database[Doc], ttl_seconds: int) -> None:
        self._sessions: Collection[Doc] = db["sessions"]
        self.ttl = timedelta(seconds=ttl_seconds)

    def ensure_indexes(self) -> None:
        self._sessions.create_index("expires_at", expireAfterSeconds=0, name="expire")

    def start(self, claims: Claims) -> str:
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        self._sessions.insert_one({"_id": _key(token), "claims": claims.model_dump(mode="json"),
                                   "created_at": now, "expires_at": now + self.ttl})
        return token

    def claims(self, token: str) -> Claims | None:
        doc = self._sessions.find_one({"_id": _key(token)})
        if doc is None or doc["expires_at"] <= datetime.now(UTC):
            return None
        return Claims.model_validate(doc["claims"])

    def end(self, token: str) -> None:
        self._sessions.delete_one({"_id": _key(token)})

    def end_all_of(self, subject: str) -> None:
        self._sessions.delete_many({"claims.sub": subject})
