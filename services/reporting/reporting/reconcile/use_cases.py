"""What the API and the page ask of the reconciliation: its state within the caller's scope, a run now."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from contracts.access import covers_scope, may_run_reconciliation, totals_scope
from contracts.claims import Claims
from contracts.errors import ApiError
from reporting.reconcile.compare import Difference
from reporting.reconcile.result import RunResult
from reporting.reconcile.runner import Runner

NO_SCOPE = ("reconciliation.forbidden", "ผลการกระทบยอดดูได้เฉพาะเจ้าหน้าที่ที่ดูยอดรวมได้",
            "Only staff who may read totals may see reconciliation results.")
NOT_ALLOWED = ("reconciliation.run_forbidden", "สั่งกระทบยอดได้เฉพาะผู้ดูแลระบบของกรมการปกครอง",
               "Only DOPA administrators may start a reconciliation.")


class Refused(ApiError):
    status = 403


@dataclass(frozen=True)
class State:
    scope: tuple[str, str]
    configured: bool
    running: RunResult | None
    last: RunResult | None  # differences limited to the scope
    history: list[RunResult]  # summaries (counts within the scope): newest first, without their lists


class History(Protocol):
    """The store's reading side (``store.ResultStore``)."""

    def history(self, limit: int = 20) -> list[RunResult]: ...


class Reconciliations:
    def __init__(self, runner: Runner, history: History) -> None:
        self.runner, self.store = runner, history

    def state(self, claims: Claims) -> State:
        scope = totals_scope(claims)
        if scope is None:
            raise Refused(*NO_SCOPE)
        runs = self.store.history()
        last = next((r for r in runs if r.outcome != "running"), None)
        return State(scope, self.runner.configured, self.runner.current,
                     None if last is None else in_scope(last, scope),
                     [replace(in_scope(r, scope), differences=[], unsettled=[], refused_lines=[]) for r in runs])

    async def run_now(self, claims: Claims) -> tuple[RunResult, bool]:
        if not may_run_reconciliation(claims):
            raise Refused(*NOT_ALLOWED)
        return await self.runner.request("request")


def _covers(scope: tuple[str, str], difference: Difference) -> bool:
    level, code = scope
    if difference.level == "nation":
        return level == "nation"
    if difference.level == "province":
        return level == "nation" or (level == "province" and difference.code == code)
    return covers_scope(scope, difference.code[:2], difference.code)


def in_scope(result: RunResult, scope: tuple[str, str]) -> RunResult:
    """The run with only the differences of units inside ``scope`` (a province sees itself and its districts)."""
    if scope[0] == "nation":
        return result
    differences = [d for d in result.differences if _covers(scope, d)]
    unsettled = [d for d in result.unsettled if _covers(scope, d)]
    return replace(result, differences=differences, unsettled=unsettled, differences_total=len(differences),
                   unsettled_total=len(unsettled),
                   by_level={lv: sum(1 for d in differences if d.level == lv) for lv in ("province", "district")},
                   refused_lines=[])
