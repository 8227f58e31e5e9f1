"""Where rate-limit budgets are counted: a store every replica of a service sees.

The counting itself is the ``limits`` library's moving window (its ``MongoDBStorage``): one document per key
holding the times of the hits still in the window, in the service's own database (collections
``rate_limit_windows`` and ``rate_limit_counters``, with the library's TTL index on ``expireAt``), so N replicas
share one budget instead of each granting its own. ``memory://`` keeps a budget in the process (unit tests).

The dev stack's MongoDB stand-in, nx-27017, lacks two things the library's MongoDB moving window uses: array
index paths in filters (``entries.2``) and ``$not``. On nx-27017 (and only there, recognised by ``buildInfo``)
an entry is acquired by :meth:`MongoRateLimitStorage._acquire_entry_nx_27017`: the same window, written as a
compare-and-set on a revision number, so two replicas still cannot both take the last place.
"""

from __future__ import annotations

import contextlib
import datetime
import time
from typing import Any

import pymongo
import pymongo.errors
from limits.storage import MemoryStorage, MongoDBStorage, Storage

WINDOWS = "rate_limit_windows"
COUNTERS = "rate_limit_counters"
MEMORY = "memory://"
# A write that loses a race retries; this many losses in a row means the key is being hammered by many
# replicas at once, and refusing the hit is the safe answer.
CAS_ATTEMPTS = 16


class MongoRateLimitStorage(MongoDBStorage):
    """``limits``' MongoDB storage in one service's database, with the nx-27017 workaround named below."""

    # No STORAGE_SCHEME of its own: ``mongodb://`` stays registered to the library's class.

    def __init__(self, uri: str, database: str, **client_options: Any) -> None:
        super().__init__(uri, database_name=database, counter_collection_name=COUNTERS,
                         window_collection_name=WINDOWS, wrap_exceptions=False,
                         serverSelectionTimeoutMS=client_options.pop("serverSelectionTimeoutMS", 5000),
                         **client_options)
        self._on_nx_27017: bool | None = None

    def _init_mongo_client(self, uri: str | None, **options: int | str | bool) -> pymongo.MongoClient[Any]:
        client: pymongo.MongoClient[Any] = pymongo.MongoClient(uri, **options)  # type: ignore[arg-type]
        return client

    @property
    def on_nx_27017(self) -> bool:
        """Whether the store is nx-27017, the dev stack's MongoDB stand-in (asked once)."""
        if self._on_nx_27017 is None:
            self._on_nx_27017 = self.storage.admin.command("buildInfo").get("process") == "nx_27017"
        return self._on_nx_27017

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if self.on_nx_27017:
            return self._acquire_entry_nx_27017(key, limit, expiry, amount)
        return bool(super().acquire_entry(key, limit, expiry, amount))

    def _acquire_entry_nx_27017(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """nx-27017 workaround: the library's moving window (hit times newest first, at most ``limit`` kept)
        without ``entries.N`` paths or ``$not``. Read the window, decide, and write only if nobody wrote in
        between (a ``rev`` compare-and-set; a first hit is an insert, which the unique ``_id`` arbitrates)."""
        if amount > limit:
            return False
        for _ in range(CAS_ATTEMPTS):
            now = time.time()
            doc = self.windows.find_one({"_id": {"$eq": key}})
            live = [t for t in (doc or {}).get("entries", []) if t >= now - expiry]
            if len(live) + amount > limit:
                return False
            entries = ([now] * amount + live)[:limit]
            expire_at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=expiry)
            if doc is None:
                try:
                    self.windows.insert_one({"_id": key, "entries": entries, "expireAt": expire_at, "rev": 1})
                    return True
                except pymongo.errors.DuplicateKeyError:
                    continue
            rev = doc.get("rev", 0)
            won = self.windows.update_one({"_id": {"$eq": key}, "rev": {"$eq": rev}},
                                          {"$set": {"entries": entries, "expireAt": expire_at, "rev": rev + 1}})
            if won.matched_count:
                return True
        return False

    def __del__(self) -> None:
        # The library's own closes ``self.storage``, which would open a client just to close it; and at
        # interpreter shutdown closing may fail, with nothing left to tell.
        client = getattr(self, "_storage", None)
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()


def rate_limit_storage(uri: str, database: str) -> Storage:
    """The store for a service's budgets: ``memory://`` (this process only) or a MongoDB URI (shared by every
    replica that uses the same database). The MongoDB client connects on the first hit."""
    if uri == MEMORY:
        return MemoryStorage()
    return MongoRateLimitStorage(uri, database)
