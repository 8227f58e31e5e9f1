"""What one reconciliation run found, as stored and shown. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from reporting.reconcile.compare import LEVELS, Difference

Outcome = Literal["running", "succeeded", "failed"]
Trigger = Literal["schedule", "request"]
KEPT_DIFFERENCES = 2000  # per list in a stored run; the totals say how many there were


@dataclass(frozen=True)
class RunResult:
    run_id: str
    trigger: Trigger
    started_at: datetime
    outcome: Outcome = "running"
    finished_at: datetime | None = None
    cases_read: int = 0  # in the last read of the export
    reads: int = 0  # of the export: 1, or 2 when the first differed (compare.py)
    differences: list[Difference] = field(default_factory=list)  # confirmed
    unsettled: list[Difference] = field(default_factory=list)
    differences_total: int = 0
    unsettled_total: int = 0
    by_level: dict[str, int] = field(default_factory=dict)  # confirmed differences per level, all of them
    refused_lines: list[str] = field(default_factory=list)  # export lines no case can have
    error: str | None = None
    owner: str = ""  # the process running it (``Runner.owner``, made at each process start)
    heartbeat_at: datetime | None = None  # refreshed by its owner while it runs (``store.interrupted``)

    @property
    def duration_s(self) -> float | None:
        return None if self.finished_at is None else (self.finished_at - self.started_at).total_seconds()

    def finished(self, at: datetime, *, cases_read: int, reads: int, differences: list[Difference],
                 unsettled: list[Difference], refused_lines: list[str]) -> RunResult:
        return replace(self, outcome="succeeded", finished_at=at, heartbeat_at=at, cases_read=cases_read, reads=reads,
                       differences=differences[:KEPT_DIFFERENCES], unsettled=unsettled[:KEPT_DIFFERENCES],
                       differences_total=len(differences), unsettled_total=len(unsettled),
                       by_level={level: sum(1 for d in differences if d.level == level) for level in LEVELS},
                       refused_lines=refused_lines[:100])

    def failed(self, at: datetime, error: str) -> RunResult:
        return replace(self, outcome="failed", finished_at=at, heartbeat_at=at, error=error[:500])

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "trigger": self.trigger, "outcome": self.outcome,
            "started_at": self.started_at, "finished_at": self.finished_at, "duration_s": self.duration_s,
            "cases_read": self.cases_read, "reads": self.reads,
            "differences": [d.as_json() for d in self.differences], "differences_total": self.differences_total,
            "unsettled": [d.as_json() for d in self.unsettled], "unsettled_total": self.unsettled_total,
            "by_level": dict(self.by_level),
            "refused_lines": list(self.refused_lines), "error": self.error,
            "owner": self.owner, "heartbeat_at": self.heartbeat_at or self.started_at,  # never null: see store
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RunResult:
        return cls(
            run_id=raw["run_id"], trigger=raw["trigger"], outcome=raw["outcome"], started_at=raw["started_at"],
            finished_at=raw.get("finished_at"), cases_read=raw.get("cases_read", 0), reads=raw.get("reads", 0),
            differences=[Difference.from_json(d) for d in raw.get("differences") or ()],
            unsettled=[Difference.from_json(d) for d in raw.get("unsettled") or ()],
            differences_total=raw.get("differences_total", 0), unsettled_total=raw.get("unsettled_total", 0),
            by_level=dict(raw.get("by_level") or {}),
            refused_lines=list(raw.get("refused_lines") or ()), error=raw.get("error"),
            owner=raw.get("owner", ""), heartbeat_at=raw.get("heartbeat_at"),
        )
