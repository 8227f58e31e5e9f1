"""The worklist's signed keyset cursor, and reading a row's sort value.

A cursor travels in a link, so it is signed (HMAC): an altered or foreign one decodes to None and the
worklist starts again at the first page instead of trusting it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from registration.casework.worklist_request import SORTS, Doc


@dataclass(frozen=True)
class Position:
    """Where a page starts or ends: a segment and a row's (sort value, receipt number)."""

    segment: int
    value: Any
    tie: str


@dataclass(frozen=True)
class Cursor:
    sort: str
    descending: bool
    position: Position
    before: bool  # True: the page before this position ("previous"), else the page after it

    def encode(self, secret: bytes) -> str:
        body = json.dumps([self.sort, int(self.descending), self.position.segment, _plain(self.position.value),
                           self.position.tie, int(self.before)], ensure_ascii=True, separators=(",", ":"))
        payload = base64.urlsafe_b64encode(body.encode()).rstrip(b"=")
        return (payload + b"." + _mac(secret, payload)).decode()

    @classmethod
    def decode(cls, token: str, secret: bytes) -> Cursor | None:
        """The cursor a link carried, or None if it was altered, truncated or is not one of ours."""
        payload, _, mac = token.encode("ascii", "replace").partition(b".")
        if not payload or not hmac.compare_digest(_mac(secret, payload), mac):
            return None
        try:
            raw = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
            sort, descending, segment, value, tie, before = raw
            value = _typed(value)
        except (ValueError, TypeError, binascii.Error):
            return None
        if (sort not in SORTS or not isinstance(segment, int) or not 0 <= segment < 64 or not isinstance(tie, str)
                or descending not in (0, 1) or before not in (0, 1)):
            return None
        return cls(sort, bool(descending), Position(segment, value, tie), bool(before))


def _mac(secret: bytes, payload: bytes) -> bytes:
    digest = hmac.new(secret, b"worklist-cursor:" + payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.astimezone(UTC).isoformat()}
    if value is None or (isinstance(value, str | int) and not isinstance(value, bool)):
        return value
    raise TypeError(f"not a sort value: {value!r}")


def _typed(raw: Any) -> Any:
    if isinstance(raw, dict) and set(raw) == {"t"} and isinstance(raw["t"], str):
        moment = datetime.fromisoformat(raw["t"])
        if moment.tzinfo is None:
            raise ValueError("naive time in a cursor")
        return moment
    if raw is None or (isinstance(raw, str | int) and not isinstance(raw, bool)):
        return raw
    raise ValueError(f"not a sort value: {raw!r}")


def sort_value(doc: Doc, field_name: str | None) -> Any:
    """A row's value of a sort field (dotted paths into sub-documents)."""
    if field_name is None:
        return None
    value: Any = field_value(doc, field_name)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # a client without tz_aware: stored times are UTC
    return value


def field_value(doc: Doc, path: str) -> Any:
    """A projected field by its dotted path. nx-27017 returns a projected sub-field under its dotted name
    (``{"debtor.given_name": …}``), MongoDB nested (``{"debtor": {"given_name": …}}``): both are read."""
    if path in doc:
        return doc[path]
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
