"""Which reports are in, kept from ``report-events``: submitted, or returned for correction (not in any more)."""

from __future__ import annotations

from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.write_concern import WriteConcern


class Submissions:
    def __init__(self, db: Database[dict[str, Any]]) -> None:
        self.reports: Collection[dict[str, Any]] = db.get_collection(
            "report_states", write_concern=WriteConcern(w="majority", j=True))

    def record(self, event: dict[str, Any]) -> None:
        """Applies ReportSubmitted/ReportReturned in report order: version N is submitted, then (perhaps)
        returned, then version N+1 submitted. A redelivered or older event changes nothing."""
        submitted = event["event_type"] == "ReportSubmitted"
        step = [event["report_version"], 0 if submitted else 1]
        current = self.reports.find_one({"_id": event["report_id"]})
        if current and list(current["step"]) >= step:
            return
        self.reports.update_one({"_id": event["report_id"]}, {"$set": {
            "submitted": submitted, "step": step, "level": event["level"], "unit_code": event["unit_code"],
            "period": event["period"]}}, upsert=True)

    def submitted(self, level: str, period: str) -> set[str]:
        return {d["unit_code"] for d in self.reports.find({"level": level, "period": period, "submitted": True})}
