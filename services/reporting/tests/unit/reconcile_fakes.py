"""Cases as registration publishes them and exports them, the stream's pure path, a live view over it, and the
reconciliation job's other ports (results, export, clock) for its tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from prometheus_client import REGISTRY

from contracts import codec
from reporting.reconcile.job import Reconciliation
from reporting.reconcile.recompute import Line
from reporting.reconcile.result import RunResult
from reporting.totals.cases import apply_case_event, change_from_json
from reporting.totals.districts import Districts
from reporting.totals.figures import NATION
from reporting.totals.rollup import RollUp

ICT = timezone(timedelta(hours=7))
START = datetime(2026, 12, 1, 8, 0, tzinfo=ICT)
Event = dict[str, Any]


@dataclass
class CaseStory:
    """One case: its events as the registration service emits them, and its export line at the end."""

    case_id: str
    district: str
    channel: str = "self_online"
    events: list[Event] = field(default_factory=list)
    transfers: list[dict[str, str]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.state = {"channel": self.channel, "creditor_count": 1, "debt_count": 2, "principal_satang": 2_000_000,
                      "outstanding_satang": 2_600_000, "excessive_interest": False, "threatened": False,
                      "collateral_held": False, "contacted": False, "reached": False, "decision": None,
                      "mediation_entered": False, "mediation_result": None, "debt_before_satang": None,
                      "debt_after_satang": None, "referrals": [], "closure_reason": None, "status": "new"}
        counts = {k: self.state[k] for k in ("creditor_count", "debt_count", "principal_satang", "outstanding_satang")}
        self.emit("CaseRegistered", channel=self.channel, unit_code=None, **counts)

    @property
    def revision(self) -> int:
        return len(self.events)

    def facts(self) -> dict[str, Any]:
        return {k: v for k, v in self.state.items() if k != "status"}

    def emit(self, event_type: str, **fields: Any) -> CaseStory:
        revision = self.revision + 1
        moment = START + timedelta(hours=revision)
        event: Event = {"event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.case_id}/{revision}")),
                        "event_type": event_type, "schema_version": 1, "occurred_at": moment.isoformat(),
                        "case_id": self.case_id, "province_code": self.district[:2], "district_code": self.district,
                        "status": self.state["status"], "facts": self.facts(), **fields}
        if event_type != "CaseRegistered":
            event["revision"] = revision
        codec.validate_for_produce(event)
        self.events.append(event)
        return self

    def set(self, event_type: str, changes: dict[str, Any], **fields: Any) -> CaseStory:
        self.state.update(changes)
        return self.emit(event_type, **fields)

    def transfer(self, to: str) -> CaseStory:
        old, self.district = self.district, to
        self.transfers.append({"from_province_code": old[:2], "from_district_code": old, "to_province_code": to[:2],
                               "to_district_code": to})
        return self.emit("CaseTransferred", from_province_code=old[:2], from_district_code=old)

    def line(self) -> dict[str, Any]:
        """The export line registration's ``figures`` feature gives for the case as it is now."""
        return {"kind": "case", "case_id": self.case_id, "revision": self.revision,
                "province_code": self.district[:2], "district_code": self.district, "status": self.state["status"],
                "facts": self.facts(), "transfers": list(self.transfers)}


def stories() -> list[CaseStory]:
    """Four cases: one mediated to an agreement and referred, one closed, one moved to another province after
    contact, one moved within its province and back."""
    agreed = CaseStory("c-1", "4701")
    agreed.set("CaseContacted", {"contacted": True, "reached": True, "status": "contacting"}, method="phone",
               result="reached", contacted_on="2026-12-01", attempt_no=1)
    agreed.set("MediationDecisionRecorded", {"decision": "wants_mediation", "status": "wants_mediation"},
               decision="wants_mediation")
    agreed.set("MediationScheduled", {"mediation_entered": True, "status": "in_mediation"}, session_no=1,
               scheduled_at=(START + timedelta(days=7)).isoformat(), change="scheduled")
    agreed.set("MediationConcluded", {"mediation_result": "agreement", "debt_before_satang": 2_600_000,
                                      "debt_after_satang": 1_800_000, "status": "resolved"},
               session_no=1, result="agreement", debt_before_satang=2_600_000, debt_after_satang=1_800_000)
    agreed.set("CaseReferred", {"referrals": ["police"]}, referral="police", reason="other")
    closed = CaseStory("c-2", "4701", channel="desk")
    closed.set("CaseClosed", {"closure_reason": "withdrawn", "status": "closed"}, reason="withdrawn")
    moved = CaseStory("c-3", "4702", channel="paper")
    moved.set("CaseContacted", {"contacted": True, "status": "contacting"}, method="phone", result="not_reached",
              contacted_on="2026-12-01", attempt_no=1)
    moved.transfer("4801")
    back = CaseStory("c-4", "4701", channel="thaid_app")
    back.set("CaseUpdated", {"debt_count": 3, "principal_satang": 2_001_000, "outstanding_satang": 2_601_500},
             change="debts_added", creditor_count=1, debt_count=3, principal_satang=2_001_000,
             outstanding_satang=2_601_500)
    back.transfer("4702").transfer("4701")
    return [agreed, closed, moved, back]


def stream(events: Iterable[Event]) -> RollUp:
    """What the worker publishes and a reader rolls up, through the same pure functions as the agents."""
    records: dict[str, Any] = {}
    districts = Districts({}, {})
    rollup = RollUp()
    for event in events:
        applied = apply_case_event(records, event)
        assert applied is not None
        for change in applied[1]:
            rollup.apply(districts.apply(change_from_json(change.as_json()))[1])
    return rollup


class LiveView:
    """The TotalsView interface the reconciliation reads, over a RollUp (the nation's code is "")."""

    def __init__(self, rollup: RollUp, ready: bool = True) -> None:
        self.rollup, self.ready = rollup, ready

    def figures(self, level: str, code: str, day: str | None = None) -> dict[str, int]:
        return self.rollup.figures(level, NATION if level == "nation" else code, day)

    def units(self, level: str, parent: str = "") -> list[str]:
        return sorted({c for (lv, c, d) in self.rollup.sums if lv == level and d is None and c.startswith(parent)})


# --- the job's other ports, a clock and the metrics, for the reconciliation tests ---

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class Results:
    def __init__(self) -> None:
        self.saved: dict[str, RunResult] = {}
        self.writes: list[str] = []

    def save(self, result: RunResult) -> None:
        self.saved[result.run_id] = result
        self.writes.append(result.outcome)

    def history(self, limit: int = 20) -> list[RunResult]:
        return sorted(self.saved.values(), key=lambda r: r.started_at, reverse=True)[:limit]


class Export:
    """Each read gives the next list of lines (the last one again once used up)."""

    def __init__(self, *reads: list[dict[str, Any]], fail: Exception | None = None) -> None:
        self.reads, self.fail, self.count = list(reads), fail, 0

    def lines(self) -> Iterable[Line]:
        self.count += 1
        lines = self.reads[min(self.count, len(self.reads)) - 1]
        yield from lines[:1]
        if self.fail is not None:
            raise self.fail
        yield from lines[1:]


def started() -> RunResult:
    return RunResult(run_id="run-1", trigger="request", started_at=T0)


def job(export: Export, live: LiveView, results: Results, sleep: Callable[[float], None] = lambda _: None
        ) -> Reconciliation:
    return Reconciliation(export, live, results, settle_seconds=30, clock=Clock(), sleep=sleep)


def metric(name: str, labels: dict[str, str] | None = None) -> float | None:
    return REGISTRY.get_sample_value(name, labels or {})
