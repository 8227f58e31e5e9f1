"""Totals in MongoDB. A case's figures and the totals they feed commit together, so each event
counts exactly once however often it is delivered."""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client import Counter
from pymongo import ASCENDING
from pymongo.client_session import ClientSession
from pymongo.database import Database

from reporting.domain.totals import CaseFigures, ImpossibleTotals, figures_of, increments, scopes_of, totals_after

Doc = dict[str, Any]
log = logging.getLogger(__name__)
IMPOSSIBLE = Counter("totals_impossible_total",
                     "Case events refused because a figure or a resulting total would be impossible (negative, "
                     "not an integer, beyond int64 satang); alerted on")


class TotalsStore:
    def __init__(self, db: Database[Doc]) -> None:
        self.db = db
        self.totals = db["totals"]
        self.cases = db["case_figures"]

    def ensure_indexes(self) -> None:
        """Also creates the collections, which transactions need to exist before they read them."""
        self.totals.create_index([("level", ASCENDING), ("code", ASCENDING)], name="level_code")
        self.cases.create_index([("district_code", ASCENDING)], name="district")

    def _known(self, case_id: str, session: ClientSession) -> CaseFigures | None:
        doc = self.cases.find_one({"_id": case_id}, {"_id": 0}, session=session)
        return CaseFigures(**doc) if doc else None

    def apply(self, event: Doc) -> bool:
        """Applies a case event; False when it changed nothing (a duplicate, stale or other event, or one
        refused because its figures or the totals they would make are impossible: logged and counted in
        ``totals_impossible_total``, and skipped rather than retried, since retrying cannot fix it)."""
        try:
            return self._apply(event)
        except ImpossibleTotals as impossible:
            IMPOSSIBLE.inc()
            log.error("refused case event %s (case %s): impossible totals %s", event.get("event_id"),
                      event.get("case_id"), impossible)
            return False

    def _apply(self, event: Doc) -> bool:
        applied = False

        def write(session: ClientSession) -> None:
            nonlocal applied
            known = self._known(event["case_id"], session)
            new = figures_of(event, known)
            if new is None or (known is not None and known.revision >= new.revision):
                applied = False
                return
            inc = increments(known, new)
            scopes = scopes_of(new)
            for level, code in scopes:  # every row is checked before any is written
                totals_after(self.totals.find_one({"_id": f"{level}:{code}"}, session=session), inc)
            for level, code in scopes:
                self.totals.update_one(
                    {"_id": f"{level}:{code}"},
                    {"$inc": inc, "$set": {"level": level, "code": code}},
                    upsert=True,
                    session=session,
                )
            # _id in the document too: nx-27017 does not take it from the filter on upsert.
            doc = {"_id": new.case_id, **new.as_doc()}
            self.cases.replace_one({"_id": new.case_id}, doc, upsert=True, session=session)
            applied = True

        with self.db.client.start_session() as session:
            session.with_transaction(write)
        return applied

    def get(self, level: str, code: str) -> Doc | None:
        return self.totals.find_one({"_id": f"{level}:{code}"}, {"_id": 0})

    def children(self, level: str, code_prefix: str) -> list[Doc]:
        query = {"level": level, "code": {"$regex": f"^{code_prefix}"}}
        return list(self.totals.find(query, {"_id": 0}).sort("code", 1))
