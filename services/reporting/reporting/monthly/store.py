"""Monthly reports in reporting's MongoDB, each change written with its event in one transaction (the outbox).

On the dev stack's nx-27017 transactions must not run concurrently (docs/benchmarks.md: its sessions share one
SQLite connection), so this store serialises its writes with one lock; reports change a few times a month per
unit, so the lock costs nothing. Filters spell equality ``$eq`` (nx-27017 skips indexes on bare equality) and
never use ``$or``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, OperationFailure

from contracts import codec
from reporting.monthly.events import TOPIC
from reporting.monthly.periods import Period
from reporting.monthly.report import Report, Return, Submission
from reporting.outbox import Outbox

Doc = dict[str, Any]
_WRITES = threading.Lock()


class StaleReport(Exception):
    """Someone else changed the report since it was read."""


def to_doc(report: Report, now: datetime) -> Doc:
    return {
        "_id": report.id, "level": report.level, "unit_code": report.unit_code,
        "province_code": report.province_code, "period": report.period.key,
        "fiscal_year": report.period.fiscal_year, "state": report.state, "revision": report.revision,
        "submissions": [{"version": s.version, "submitted_at": s.submitted_at, "submitted_by": s.submitted_by,
                         "timeliness": s.timeliness, "figures": dict(s.figures), "activity": dict(s.activity),
                         "districts": dict(s.districts)} for s in report.submissions],
        "returns": [{"version": r.version, "returned_at": r.returned_at, "returned_by": r.returned_by,
                     "reason": r.reason} for r in report.returns],
        "updated_at": now,
    }


def from_doc(doc: Mapping[str, Any]) -> Report:
    return Report(
        unit_code=doc["unit_code"], period=Period.parse(doc["period"]), state=doc["state"],
        submissions=tuple(Submission(s["version"], s["submitted_at"], s["submitted_by"], s["timeliness"],
                                     s["figures"], s["activity"], s.get("districts") or {})
                          for s in doc.get("submissions", [])),
        returns=tuple(Return(r["version"], r["returned_at"], r["returned_by"], r["reason"])
                      for r in doc.get("returns", [])),
        revision=doc["revision"],
    )


class MongoReports:
    def __init__(self, db: Database[Doc], outbox: Outbox) -> None:
        self.db = db
        self.reports = db["monthly_reports"]
        self.overdue_sent = db["monthly_overdue"]
        self.outbox = outbox

    def ensure_indexes(self) -> None:
        self.reports.create_index([("period", ASCENDING), ("province_code", ASCENDING), ("level", ASCENDING)],
                                  name="by_period_province")
        self.overdue_sent.create_index([("period", ASCENDING)], name="by_period")
        self.outbox.ensure_indexes()

    def get(self, report_id: str) -> Report | None:
        doc = self.reports.find_one({"_id": report_id})
        return from_doc(doc) if doc else None

    def of_period(self, period: Period, province_code: str | None = None) -> list[Report]:
        query: Doc = {"period": {"$eq": period.key}}
        if province_code is not None:
            query["province_code"] = {"$eq": province_code}
        return [from_doc(d) for d in self.reports.find(query)]

    def save(self, report: Report, events: Iterable[codec.Event], now: datetime) -> None:
        """Stores ``report`` (read at ``revision - 1``) and its events atomically; StaleReport if it moved on."""
        doc, batch = to_doc(report, now), list(events)

        def write(session: ClientSession) -> None:
            if report.revision == 1:
                self.reports.insert_one(doc, session=session)
            else:
                done = self.reports.replace_one({"_id": report.id, "revision": {"$eq": report.revision - 1}}, doc,
                                                session=session)
                if done.matched_count != 1:
                    raise StaleReport(report.id)
            self.outbox.add(session, TOPIC, batch)

        self._transaction(write)

    def overdue_flagged(self, period: Period) -> set[str]:
        return {d["_id"] for d in self.overdue_sent.find({"period": {"$eq": period.key}}, {"_id": 1})}

    def flag_overdue(self, period: Period, flagged: list[tuple[str, codec.Event]], now: datetime) -> None:
        """Records that these reports' ReportOverdue went out, with the events, in one transaction."""
        if not flagged:
            return

        def write(session: ClientSession) -> None:
            self.overdue_sent.insert_many([{"_id": rid, "period": period.key, "flagged_at": now}
                                           for rid, _ in flagged], session=session)
            self.outbox.add(session, TOPIC, [event for _, event in flagged])

        self._transaction(write)

    def _transaction(self, write: Any) -> None:
        try:
            with _WRITES, self.db.client.start_session() as session:
                session.with_transaction(write)
        except DuplicateKeyError:
            raise StaleReport("already written") from None
        except OperationFailure as failed:
            if failed.code == 11000:
                raise StaleReport("already written") from None
            raise
