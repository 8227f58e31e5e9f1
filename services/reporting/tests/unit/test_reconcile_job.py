"""A reconciliation run with in-memory fakes: a difference in flight settles on the second read, a real one is
confirmed by unit and figure, failures are stored as results; one run at a time; the export client refuses a
cut or refused export; the JSON API shows each reader their own scope and lets only DOPA start a run."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from contracts.api import install_api_conventions
from contracts.claims import Claims, Role
from reporting.reconcile import api
from reporting.reconcile.client import ClientCredentials, ExportFailed, RegistrationExport
from reporting.reconcile.compare import Difference
from reporting.reconcile.job import Reconciliation
from reporting.reconcile.recompute import Line
from reporting.reconcile.result import RunResult
from reporting.reconcile.runner import NOT_CONFIGURED, Runner
from reporting.reconcile.use_cases import Reconciliations

from .reconcile_fakes import CaseStory, LiveView, stories, stream

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


def test_totals_that_agree_are_read_once_and_stored_with_the_metrics() -> None:
    cases = stories()
    results, export = Results(), Export([c.line() for c in cases])
    before = metric("reconciliation_runs_total", {"outcome": "succeeded"}) or 0
    result = job(export, LiveView(stream(e for c in cases for e in c.events)), results).run(started())
    assert (result.outcome, result.reads, result.cases_read, result.differences, result.unsettled) == (
        "succeeded", 1, 4, [], [])
    assert result.duration_s == 1.0 and export.count == 1
    assert results.writes == ["running", "succeeded"] and results.saved["run-1"] == result
    assert metric("reconciliation_differences", {"level": "district"}) == 0
    assert metric("reconciliation_last_success_timestamp_seconds") == result.finished_at.timestamp()  # type: ignore[union-attr]
    assert metric("reconciliation_runs_total", {"outcome": "succeeded"}) == before + 1


def test_a_case_still_in_flight_settles_on_the_second_read() -> None:
    cases = stories()
    late = CaseStory("c-5", "4801", channel="desk")  # registered; its event not yet through the stream
    live = LiveView(stream(e for c in cases for e in c.events))

    def stream_catches_up(seconds: float) -> None:
        assert seconds == 30
        live.rollup = stream(e for c in [*cases, late] for e in c.events)

    result = job(Export([c.line() for c in [*cases, late]]), live, Results(), stream_catches_up).run(started())
    assert (result.outcome, result.reads, result.differences, result.unsettled) == ("succeeded", 2, [], [])


def test_a_wrong_total_is_confirmed_by_unit_and_figure() -> None:
    cases = stories()
    live = LiveView(stream(e for c in cases for e in c.events))
    row = live.rollup.rows["district:4801"]
    live.rollup.apply(replace(row, version=row.version + 1, figures={**row.figures, "debts": 5}))
    result = job(Export([c.line() for c in cases]), live, Results()).run(started())
    assert result.reads == 2 and result.unsettled == []
    assert result.differences == [Difference("nation", "", "debts", 9, 12), Difference("province", "48", "debts", 2, 5),
                                  Difference("district", "4801", "debts", 2, 5)]
    assert result.by_level == {"nation": 1, "province": 1, "district": 1}
    assert metric("reconciliation_differences", {"level": "province"}) == 1


def test_a_difference_that_moves_between_reads_is_unsettled_not_confirmed() -> None:
    cases = stories()
    live = LiveView(stream(e for c in cases for e in c.events))  # the stream has not seen c-6 nor c-7
    c6, c7 = CaseStory("c-6", "4801"), CaseStory("c-7", "4801")
    first, second = [c.line() for c in [*cases, c6]], [c.line() for c in [*cases, c6, c7]]
    result = job(Export(first, second), live, Results()).run(started())
    assert result.differences == [] and result.reads == 2
    unsettled = {(d.level, d.code, d.figure): d.delta for d in result.unsettled}
    assert unsettled[("district", "4801", "registrants")] == -2  # -1 at the first read: still moving


def test_nothing_is_compared_before_the_live_totals_have_caught_up() -> None:
    export, results = Export([]), Results()
    result = job(export, LiveView(stream([]), ready=False), results).run(started())
    assert result.outcome == "failed" and "not caught up" in (result.error or "")
    assert export.count == 0 and results.writes == ["running", "failed"]


def test_a_failed_export_is_a_failed_run_not_a_result() -> None:
    cases = stories()
    failing = Export([c.line() for c in cases], fail=ExportFailed("the figures export was cut short after 1 cases"))
    result = job(failing, LiveView(stream(e for c in cases for e in c.events)), Results()).run(started())
    assert result.outcome == "failed" and result.error == (
        "ExportFailed: the figures export was cut short after 1 cases")
    assert result.differences == [] and result.cases_read == 0


# ---- one run at a time ----

def test_a_second_request_while_a_run_is_under_way_gets_that_run() -> None:
    gate, results = threading.Event(), Results()

    def slow(run: RunResult) -> RunResult:
        gate.wait(5)
        done = run.finished(T0, cases_read=0, reads=1, differences=[], unsettled=[], refused_lines=[])
        results.save(done)
        return done

    async def scenario() -> None:
        runner = Runner(slow, save_failure=results.save)
        first, started_first = await runner.request("request")
        again, started_again = await runner.request("schedule")
        assert started_first and not started_again and again.run_id == first.run_id
        gate.set()
        finished = await runner.wait()
        assert finished is not None and finished.outcome == "succeeded" and runner.current is None
        third, started_third = await runner.request("request")
        assert started_third and third.run_id != first.run_id
        await runner.wait()
        await runner.stop()

    asyncio.run(scenario())


def test_without_configuration_a_requested_run_fails_saying_why() -> None:
    results = Results()

    async def scenario() -> RunResult | None:
        runner = Runner(None, save_failure=results.save)
        runner.start_schedule(60)  # no schedule: nothing to run
        await runner.request("request")
        done = await runner.wait()
        await runner.stop()
        return done

    done = asyncio.run(scenario())
    assert done is not None and done.outcome == "failed" and done.error == NOT_CONFIGURED
    assert list(results.saved.values()) == [done]


def test_the_schedule_runs_again_and_again() -> None:
    results, runs = Results(), []

    def quick(run: RunResult) -> RunResult:
        runs.append(run.trigger)
        return run.finished(T0, cases_read=0, reads=1, differences=[], unsettled=[], refused_lines=[])

    async def scenario() -> None:
        runner = Runner(quick, save_failure=results.save)
        runner.start_schedule(0.01)
        await asyncio.sleep(0.3)
        await runner.stop()

    asyncio.run(scenario())
    assert len(runs) >= 3 and set(runs) == {"schedule"}


def test_replicas_sharing_the_slot_run_each_scheduled_run_once() -> None:
    """Two replicas tick on the same schedule; the shared slot (MongoDB in production) lets one of them run."""
    results, runs, claims = Results(), [], []
    due, interval = [0.0], 0.05

    def claim(now: float, every: float) -> bool:  # the store's rule: the first past the due time wins
        won = now >= due[0]
        if won:
            due[0] = now + every
        claims.append((now, won))
        return won

    def quick(run: RunResult) -> RunResult:
        runs.append(run.trigger)
        return run.finished(T0, cases_read=0, reads=1, differences=[], unsettled=[], refused_lines=[])

    async def scenario() -> None:
        replicas = [Runner(quick, save_failure=results.save, claim_slot=claim) for _ in range(2)]
        for runner in replicas:
            runner.start_schedule(interval)
        await asyncio.sleep(0.4)
        for runner in replicas:
            await runner.stop()

    asyncio.run(scenario())
    won = [now for now, ok in claims if ok]
    assert len(won) >= 2 and len(won) - 1 <= len(runs) <= len(won)  # the last may be cut short by the stop
    assert len(claims) > len(won)  # the other replica ticked too, and stood down
    assert all(later - earlier >= interval for earlier, later in pairwise(won))


def test_a_run_under_way_is_kept_alive_by_its_owner_until_it_ends() -> None:
    """The heartbeat other replicas go by when they start (store.interrupted): it beats while the run is under
    way, on a thread of its own (the run holds the runner's), and stops when the run ends."""
    gate, results, beats = threading.Event(), Results(), []

    def slow(run: RunResult) -> RunResult:
        gate.wait(5)
        return run.finished(T0, cases_read=0, reads=1, differences=[], unsettled=[], refused_lines=[])

    async def scenario() -> None:
        runner = Runner(slow, save_failure=results.save, clock=Clock(), heartbeat=lambda *beat: beats.append(beat),
                        heartbeat_every=timedelta(seconds=0.02))
        started, _ = await runner.request("request")
        assert started.owner == runner.owner and started.heartbeat_at == started.started_at
        await asyncio.sleep(0.2)
        assert len(beats) >= 3 and {run_id for run_id, _ in beats} == {started.run_id}
        assert all(earlier < later for (_, earlier), (_, later) in pairwise(beats))
        gate.set()
        await runner.wait()
        ended = len(beats)
        await asyncio.sleep(0.1)
        assert len(beats) == ended
        await runner.stop()

    asyncio.run(scenario())


# ---- the export client ----

def ndjson(*values: object) -> bytes:
    return b"".join(json.dumps(v).encode() + b"\n" for v in values)


def transport(export_body: bytes, status: int = 200, seen: list[httpx.Request] | None = None) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        (seen if seen is not None else []).append(request)
        if request.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json={"token_endpoint": "http://kc/realms/debt/token"})
        if request.url.path == "/realms/debt/token":
            assert request.headers["authorization"].startswith("Basic ")
            assert b"grant_type=client_credentials" in request.content
            return httpx.Response(200, json={"access_token": "service-token", "expires_in": 300})
        assert request.headers["authorization"] == "Bearer service-token"
        return httpx.Response(status, content=export_body)
    return httpx.MockTransport(answer)


def client(body: bytes, status: int = 200, seen: list[httpx.Request] | None = None) -> RegistrationExport:
    mock = transport(body, status, seen)
    credentials = ClientCredentials("http://kc/realms/debt", "debt-reporting", "secret", transport=mock)
    return RegistrationExport("http://registration:8001/", credentials, transport=mock)


def test_the_client_reads_a_whole_export_with_the_services_own_token() -> None:
    line = stories()[0].line()
    seen: list[httpx.Request] = []
    export = client(ndjson({"kind": "export", "version": 1, "as_of": "x"}, line, line, {"kind": "end", "cases": 2}),
                    seen=seen)
    assert list(export.lines()) == [line, line]
    assert list(export.lines()) == [line, line]  # the token is kept: one discovery and token request in all
    assert [r.url.path for r in seen] == ["/realms/debt/.well-known/openid-configuration", "/realms/debt/token",
                                          "/api/v1/figures/cases", "/api/v1/figures/cases"]


@pytest.mark.parametrize(("body", "status", "message"), [
    (ndjson({"kind": "export", "version": 1}, {"kind": "case"}), 200, "cut short after 1 cases"),
    (ndjson({"kind": "export", "version": 1}, {"kind": "end", "cases": 3}), 200, "cut short after 0 cases"),
    (ndjson({"kind": "case"}), 200, "does not start with its head line"),
    (b"", 200, "does not start with its head line"),
    (b'{"detail": {}}', 403, "HTTP 403"),
])
def test_the_client_refuses_an_export_that_is_not_whole(body: bytes, status: int, message: str) -> None:
    with pytest.raises(ExportFailed, match=message):
        list(client(body, status).lines())


# ---- the JSON API ----

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
