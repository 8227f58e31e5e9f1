"""Which replica does a job only one of them should do (publish an outbox, run a schedule): a lease document in
MongoDB, renewed while held.

With several replicas, every one runs the job's loop; only the holder of a live lease does the work, so the
same outbox event is not published by two replicas at once and a scheduled job runs once. If the holder dies,
its lease expires and another replica takes over within ``ttl`` seconds. (A takeover may re-publish events the
old holder sent but had not yet marked; consumers de-duplicate by event id.)

Written with insert + conditional update rather than an upsert: the dev database stand-in does not
take ``_id`` from an upsert's filter.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

OUTBOX_RELAY = "outbox-relay"


class Lease:
    def __init__(self, leases: Collection[dict[str, Any]], name: str = OUTBOX_RELAY, *, ttl: float = 15.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.leases = leases
        self.name = name  # one document per job
        self.ttl = ttl
        self.clock = clock  # wall clock: replicas on different hosts compare expiry times
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._held_until = 0.0

    def held(self) -> bool:
        """True while this replica holds the lease; renews it once a third of its life has passed."""
        now = self.clock()
        if now < self._held_until - 2 * self.ttl / 3:
            return True
        self._held_until = now + self.ttl if self._acquire_or_renew(now) else 0.0
        return self._held_until > 0

    def release(self) -> None:
        """Lets another replica take over at once (on a clean shutdown)."""
        if self._held_until:
            self.leases.update_one({"_id": self.name, "owner": self.owner}, {"$set": {"expires_at": 0.0}})
            self._held_until = 0.0

    def _acquire_or_renew(self, now: float) -> bool:
        try:
            self.leases.insert_one({"_id": self.name, "owner": self.owner, "expires_at": now + self.ttl})
            return True
        except DuplicateKeyError:
            pass
        taken = self.leases.update_one(
            {"_id": self.name, "$or": [{"owner": self.owner}, {"expires_at": {"$lt": now}}]},
            {"$set": {"owner": self.owner, "expires_at": now + self.ttl}},
        )
        return taken.matched_count == 1
