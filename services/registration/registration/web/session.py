"""Server-side web sessions and form drafts in MongoDB.

The browser holds only a signed, random session id. The access token, the verified identity and
the half-typed form stay here: the token is never readable by page scripts, the cookie stays far
below size limits on cheap phones, and signing out ends the session at once (a cookie-held token
would stay valid until it expired). The draft lives in the session document, one per session,
saved at every step, so a dropped connection loses at most the step being typed. Sessions are stored
under a hash of their id: someone who can read the database still cannot present a session.

A signed-in session never outlives the access token it was made from: its ``token_exp`` is that token's
``exp``, and once it has passed the pages treat the visitor as signed out and send them through sign-in
again (``WebContext.load_session``). In production Keycloak's SSO session makes that a redirect round
trip for an active user, and refuses a deactivated one: staff lose page access at most one access-token
lifetime (300 s in the realm) after deactivation. The document itself is kept until ``expires_at`` so that
the same person signing in again in the same browser finds their draft (``carry_over``); nobody else does.
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


def session_key(sid: str) -> str:
    """Where the session with this id is stored (a hash: the id itself is never stored)."""
    return _key(sid)


# What a new sign-in of the same person in the same browser takes over from their previous session.
CARRIED = ("draft", "draft_at_ms", "adding", "last_receipt")


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

    def carry_over(self, previous_key: str, sid: str, *, kind: str, sub: str) -> None:
        """Moves the unfinished work of the previous session (stored under ``previous_key``) to session ``sid``
        when both belong to the same person and flow; the previous session is deleted either way."""
        previous = self.sessions.find_one_and_delete({"_id": previous_key})
        if previous is None or previous.get("kind") != kind or (previous.get("claims") or {}).get("sub") != sub:
            return
        fields = {name: previous[name] for name in CARRIED if previous.get(name) is not None}
        if fields:
            self.update(sid, fields)
