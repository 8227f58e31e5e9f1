"""Opted-out numbers, by keyed hash only (``_id`` = HMAC of the E.164 number): no number is kept in clear."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from notify.optout.rules import number_key


class OptOuts:
    def __init__(self, db: Database[dict[str, Any]], key: str) -> None:
        self.docs: Collection[dict[str, Any]] = db["opt_outs"]
        self.key = key.encode()

    def stop(self, e164: str, via: str, now_ms: int) -> None:
        with suppress(DuplicateKeyError):  # already stopped: the first opt-out's date stands
            self.docs.insert_one({"_id": number_key(self.key, e164), "via": via, "since_ms": now_ms})

    def start(self, e164: str) -> None:
        self.docs.delete_one({"_id": number_key(self.key, e164)})

    def stopped(self, e164: str) -> bool:
        return self.docs.find_one({"_id": number_key(self.key, e164)}) is not None
