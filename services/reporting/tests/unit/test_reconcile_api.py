"""The reconciliation JSON API shows each reader their own scope and lets only DOPA start a run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from contracts.api import install_api_conventions
from contracts.claims import Claims, Role
from reporting.reconcile import api
from reporting.reconcile.compare import Difference
from reporting.reconcile.result import RunResult
from reporting.reconcile.runner import Runner
from reporting.reconcile.use_cases import Reconciliations

from .reconcile_fakes import T0, Results


class Verifier:
    """Bearer tokens named after personas: ``dopa_admin``, ``province_officer:47``, ``citizen:…``."""

    def already_verified(self, token: str) -> Claims:
        role, _, unit = token.partition(":")
        if role == "citizen":
            return Claims(sub=token, roles=frozenset({Role.CITIZEN}), citizen_id="1101700230708")
        return Claims(sub=token, roles=frozenset({Role(role)}), unit_code=unit or None)


def confirmed_run() -> RunResult:
    found = [Difference("nation", "", "debts", 9, 12), Difference("province", "47", "debts", 7, 8),
             Difference("province", "48", "debts", 2, 4), Difference("district", "4701", "debts", 5, 6),
             Difference("district", "4801", "debts", 2, 4)]
    return RunResult("run-0", "schedule", T0).finished(T0 + timedelta(seconds=42), cases_read=4, reads=2,
                                                         differences=found, unsettled=found[3:4], refused_lines=[])


@pytest.fixture
def http() -> Iterator[tuple[TestClient, Results]]:
    results = Results()
    results.save(confirmed_run())
    app = FastAPI()
    app.include_router(api.router)
    install_api_conventions(app)
    app.state.token_verifier = Verifier()

    def run(started: RunResult) -> RunResult:  # as Reconciliation.run: stores its result
        done = started.finished(T0, cases_read=0, reads=1, differences=[], unsettled=[], refused_lines=[])
        results.save(done)
        return done

    app.state.reconciliations = Reconciliations(Runner(run, save_failure=results.save), results)
    with TestClient(app) as test_client:
        yield test_client, results


def get(http: TestClient, persona: str) -> httpx.Response:
    answer: httpx.Response = http.get("/api/v1/reconciliation", headers={"Authorization": f"Bearer {persona}"})
    return answer


def test_dopa_sees_every_difference_of_the_last_run(http: tuple[TestClient, Results]) -> None:
    body = get(http[0], "dopa_admin").json()
    last = body["last"]
    assert (body["level"], body["configured"], body["running"]) == ("nation", True, None)
    assert (last["outcome"], last["duration_s"], last["cases_read"], last["differences_total"]) == (
        "succeeded", 42.0, 4, 5)
    assert last["differences"][0] == {"level": "nation", "code": "", "figure": "debts", "expected": 9, "live": 12,
                                      "delta": 3}
    assert [h["run_id"] for h in body["history"]] == ["run-0"] and body["history"][0]["differences"] == []


def test_a_province_sees_only_its_own_units(http: tuple[TestClient, Results]) -> None:
    last = get(http[0], "province_officer:47").json()["last"]
    assert [(d["level"], d["code"]) for d in last["differences"]] == [("province", "47"), ("district", "4701")]
    assert last["differences_total"] == 2 and last["unsettled_total"] == 1
    history = get(http[0], "province_officer:47").json()["history"]
    assert history[0]["differences_total"] == 2  # counts of its own units, not the nation's
    district = get(http[0], "district_officer:4801").json()["last"]
    assert [(d["level"], d["code"]) for d in district["differences"]] == [("district", "4801")]


@pytest.mark.parametrize("persona", ["citizen:1101700230708", "auditor"])
def test_who_reads_no_totals_sees_no_reconciliation(http: tuple[TestClient, Results], persona: str) -> None:
    answer = get(http[0], persona)
    assert answer.status_code == 403 and answer.json()["detail"]["code"] == "reconciliation.forbidden"
    assert answer.json()["detail"]["th"]


def test_only_dopa_starts_a_run(http: tuple[TestClient, Results]) -> None:
    test_client, results = http
    refused = test_client.post("/api/v1/reconciliation", headers={"Authorization": "Bearer province_officer:47"})
    assert refused.status_code == 403 and refused.json()["detail"]["code"] == "reconciliation.run_forbidden"
    assert test_client.post("/api/v1/reconciliation").status_code == 401
    answer = test_client.post("/api/v1/reconciliation", headers={"Authorization": "Bearer dopa_admin"})
    assert answer.status_code == 202 and answer.json()["started"] is True
    run_id = answer.json()["run_id"]
    for _ in range(100):
        if results.saved.get(run_id) and results.saved[run_id].outcome == "succeeded":
            break
        threading.Event().wait(0.02)
    assert results.saved[run_id].trigger == "request" and results.saved[run_id].outcome == "succeeded"
