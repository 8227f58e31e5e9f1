"""Who works each district's cases, by name: the officers a case can be assigned to, and the names the case
page shows for the token subjects in its timeline.

Staff accounts live in the identity service; registration learns an officer's name from their token when they
open the worklist, and keeps it here (token subject, unit, name; nothing else). A district's list is therefore
the officers who have used casework, which is everyone who could be handed a case."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

from contracts.claims import Claims, Role
from registration.cases.store import CaseRepository

Doc = dict[str, Any]
REFRESH_S = 3600  # write an officer's entry again at most hourly (a changed name or unit shows within the hour)


@dataclass(frozen=True)
class Officer:
    sub: str
    unit_code: str
    name: str


class OfficerDirectory:
    def __init__(self, db: Database[Doc]) -> None:
        self.officers = db["casework_officers"]
        self._written: dict[tuple[str, str, str], float] = {}
        self._lock = threading.Lock()

    @classmethod
    def beside(cls, repository: CaseRepository) -> OfficerDirectory:
        """The directory in the cases' database."""
        return cls(repository.db)

    def ensure_indexes(self) -> None:
        self.officers.create_index([("unit_code", ASCENDING), ("name", ASCENDING)], name="by_unit")

    def seen(self, claims: Claims) -> None:
        """Records a district officer (their token's subject, unit and name)."""
        if not claims.has(Role.DISTRICT_OFFICER) or not claims.unit_code:
            return
        name = " ".join(p for p in (claims.given_name, claims.family_name) if p) or claims.sub
        key = (claims.sub, claims.unit_code, name)
        with self._lock:
            if time.monotonic() - self._written.get(key, -REFRESH_S) < REFRESH_S:
                return
            self._written[key] = time.monotonic()
        # A whole replacement with its _id: nx-27017's upsert does not take _id from the filter.
        self.officers.replace_one({"_id": claims.sub}, {"_id": claims.sub, "unit_code": claims.unit_code,
                                                         "name": name, "seen_at": datetime.now(UTC)}, upsert=True)

    def of_district(self, district_code: str) -> list[Officer]:
        found = self.officers.find({"unit_code": {"$eq": district_code}}).sort([("name", ASCENDING)]).limit(500)
        return [Officer(d["_id"], d["unit_code"], d["name"]) for d in found]

    def names(self, subs: Iterable[str | None]) -> dict[str, str]:
        wanted = sorted({s for s in subs if s})
        if not wanted:
            return {}
        return {d["_id"]: d["name"] for d in self.officers.find({"_id": {"$in": wanted}})}
