"""Server-side web sessions and form drafts in MongoDB.

The browser holds only a signed, random session id. The access token, the verified identity and
the half-typed form stay here: the token is never readable by page scripts, the cookie stays far
below size limits on cheap phones, and signing out ends the session at once (a cookie-held token
would stay valid until it expired). The draft lives in the session document, one per session,
saved at every step, so a dropped connection loses at most the step being typed. Sessions are stored
under a hash of their id: someone who can read the database still cannot present a session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

Doc = dict[str, Any]


def _key(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class SessionStore:
    def __init__(self, db: Database[Doc]) -> None:
        self.sessions = db["web_sessions"]

    def ensure_indexes(self) -> None:
        # MongoDB deletes a session (and the personal data in its draft) once it has expired.
        self.sessions.create_index([("expires_at", ASCENDING)], name="expiry", expireAfterSeconds=0)

    def create(self, data: Doc, ttl_seconds: int, *, now: datetime | None = None) -> str:
        now = now or datetime.now(UTC)
        sid = secrets.token_urlsafe(32)
        self.sessions.insert_one(
            {**data, "_id": _key(sid), "created_at": now, "expires_at": now + timedelta(seconds=ttl_seconds)}
        )
        return sid

    def get(self, sid: str, *, now: datetime | None = None) -> Doc | None:
        doc = self.sessions.find_one({"_id": _key(sid)})
        if doc is None:
            return None
        if doc["expires_at"] <= (now or datetime.now(UTC)):
            self.sessions.delete_one({"_id": _key(sid)})
            return None
        return doc

    def update(self, sid: str, fields: Doc) -> None:
        self.sessions.update_one({"_id": _key(sid)}, {"$set": fields})

    def delete(self, sid: str) -> None:
        self.sessions.delete_one({"_id": _key(sid)})
