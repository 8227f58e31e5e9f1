"""How long an outbox keeps the events it has sent (registration's ``outbox``, reporting's ``monthly_outbox``).

A sent event is kept for ``OUTBOX_RETENTION_DAYS`` (default 7) after ``sent_at`` — long enough to look into
what was published last week — and then MongoDB's TTL monitor deletes it (it runs once a minute). The TTL
index is partial on ``sent: true``, and an unsent event has no ``sent_at`` date (null or absent), which a TTL
index never expires: however old, an event not yet published stays until the relay has sent it.

nx-27017 (the dev stand-in) keeps the TTL (it deletes expired documents whenever the collection is read or
written) but drops ``partialFilterExpression`` silently and names indexes itself; neither changes what
expires, because expiry needs a ``sent_at`` date either way. So the index is found by its key, not its name.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from pymongo import ASCENDING
from pymongo.collection import Collection

INDEX_NAME = "sent_expire"
KEY = [("sent_at", ASCENDING)]
ONLY_SENT = {"sent": {"$eq": True}}


class OutboxRetentionSettings(BaseSettings):
    """``OUTBOX_RETENTION_DAYS``: the same for every service with an outbox."""

    model_config = SettingsConfigDict(extra="ignore")

    outbox_retention_days: float = Field(7.0, gt=0)

    @property
    def retention(self) -> timedelta:
        return timedelta(days=self.outbox_retention_days)


def ensure_retention_index(outbox: Collection[Any], retention: timedelta | None = None) -> None:
    """The TTL index on ``sent_at`` (partial: sent events only). A changed retention replaces the index:
    MongoDB refuses to redefine one in place."""
    keep = retention if retention is not None else OutboxRetentionSettings().retention
    seconds = max(1, int(keep.total_seconds()))
    for name, info in outbox.index_information().items():
        if list(info.get("key", ())) == KEY and info.get("expireAfterSeconds") != seconds:
            outbox.drop_index(name)
    outbox.create_index(KEY, name=INDEX_NAME, expireAfterSeconds=seconds, partialFilterExpression=ONLY_SENT)
