"""Activations in MongoDB, one document per account (``_id`` = Keycloak account id), carrying its outbox
event: recording a request and the ``StaffProvisioned`` event announcing it is one single-document write, so
either both exist or neither (no multi-document transaction needed), and the relay publishes what is pending.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from identity.activation.rules import Activation

COLLECTION = "activations"


def _activation(doc: dict[str, Any]) -> Activation:
    return Activation(user_id=doc["_id"], unit_code=doc["unit_code"], role=doc["role"],
                      requested_ms=int(doc["requested_ms"]), token_hash=doc.get("token_hash"),
                      token_expires_ms=int(doc.get("token_expires_ms") or 0), used_ms=int(doc.get("used_ms") or 0))


class ActivationStore:
    def __init__(self, db: Database[dict[str, Any]]) -> None:
        self.docs: Collection[dict[str, Any]] = db[COLLECTION]

    def ensure_indexes(self) -> None:
        self.docs.create_index([("token_hash", ASCENDING)])
        self.docs.create_index([("outbox_pending", ASCENDING)])

    def request(self, activation: Activation, event: dict[str, Any]) -> None:
        """A new (or renewed) request with its event to publish; any earlier link stops working."""
        doc = {"_id": activation.user_id, "unit_code": activation.unit_code, "role": activation.role,
               "requested_ms": activation.requested_ms, "token_hash": None, "token_expires_ms": 0, "used_ms": 0,
               "outbox": event, "outbox_event_id": event["event_id"], "outbox_pending": True}
        try:
            self.docs.insert_one(doc)
        except DuplicateKeyError:  # a resend, or a re-provisioned account: the request starts afresh
            self.docs.replace_one({"_id": activation.user_id}, doc)

    def forget(self, user_id: str) -> None:
        """An import that failed part-way undoes its accounts: their requests go too."""
        self.docs.delete_one({"_id": user_id})

    def get(self, user_id: str) -> Activation | None:
        doc = self.docs.find_one({"_id": user_id})
        return _activation(doc) if doc else None

    def by_token(self, token_hash: str) -> Activation | None:
        doc = self.docs.find_one({"token_hash": token_hash})
        return _activation(doc) if doc else None

    def set_token(self, user_id: str, token_hash: str, expires_ms: int) -> bool:
        """The newest link replaces any earlier one (only the latest e-mail's link works)."""
        result = self.docs.update_one({"_id": user_id, "used_ms": 0},
                                      {"$set": {"token_hash": token_hash, "token_expires_ms": expires_ms}})
        return result.modified_count == 1

    def claim(self, token_hash: str, now_ms: int) -> Activation | None:
        """Marks the token used, atomically: of two submissions racing, one wins and the other is refused."""
        doc = self.docs.find_one_and_update(
            {"token_hash": token_hash, "used_ms": 0, "token_expires_ms": {"$gt": now_ms}},
            {"$set": {"used_ms": now_ms}})
        return _activation(doc) if doc else None

    def release(self, user_id: str, used_ms: int) -> None:
        """Keycloak refused the password: the same link may be used again (until it expires)."""
        self.docs.update_one({"_id": user_id, "used_ms": used_ms}, {"$set": {"used_ms": 0}})

    # --- the outbox ----------------------------------------------------------------------------------------
    def pending_events(self, limit: int = 100) -> list[dict[str, Any]]:
        return [d["outbox"] for d in self.docs.find({"outbox_pending": True}).limit(limit)]

    def mark_published(self, user_id: str, event_id: str) -> None:
        # Only this event: a resend written meanwhile replaced it and is still to be published.
        self.docs.update_one({"_id": user_id, "outbox_event_id": event_id}, {"$set": {"outbox_pending": False}})
