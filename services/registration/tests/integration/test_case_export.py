"""Case-list exports on nx-27017 and over HTTP with real Keycloak tokens: the worker survives a stop mid-job and
a crashed process's job, the file opens in openpyxl with the scope's cases, access follows the worklist scope,
and each export and download leaves an AuditRecorded in the outbox."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openpyxl  # type: ignore[import-untyped]
import pytest
from pymongo import MongoClient

from bench.worklist_seed import documents
from contracts.export_jobs import ExportJob, ExportJobs, ExportWorker, Progress
from infra.dev.testing import KafkaUnderTest, serve, stop_service, wait_until
from registration.casework.case_export import case_list_runner
from registration.casework.case_export_rows import HEADERS

Token = Callable[[str], str]


def _rows(path: Path) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(path, read_only=True)["รายการเรื่อง"]
    return list(sheet.iter_rows(values_only=True))


def test_a_job_stopped_mid_way_or_left_by_a_crash_completes(mongodb_uri: str, db_name: str, tmp_path: Path) -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    db = client[f"export_{db_name}"]
    db["cases"].insert_many(list(documents(5000, 4500, others=["4702"])))
    db["cases"].create_index([("district_code", 1), ("created_at", -1), ("receipt_no", -1)])
    steps: list[int] = []

    def slow(runner: Callable[[ExportJob, Progress], tuple[str, int]]) -> Callable[..., tuple[str, int]]:
        def run(job: ExportJob, progress: Progress) -> tuple[str, int]:
            step = progress.step

            def slow_step(done: int) -> None:
                step(done)
                steps.append(done)
                if done % 250 == 0:
                    time.sleep(0.02)  # slow enough to be stopped half-way

            progress.step = slow_step  # type: ignore[method-assign]
            return runner(job, progress)
        return run

    async def scenario() -> ExportJob:
        jobs = ExportJobs(db["export_jobs"], tmp_path, lease_s=30)
        jobs.ensure_indexes()
        job = jobs.create("cases", "officer-sub", ("district", "4701"), {})
        first = ExportWorker(jobs, slow(case_list_runner(db["cases"], jobs)), poll_s=0.05)
        first.start()
        for _ in range(400):
            current = jobs.get(job.id)
            if current is not None and current.done >= 2000:
                break
            await asyncio.sleep(0.025)
        await first.close()  # a restart: the job goes back to the queue, not done
        stopped = jobs.get(job.id)
        assert stopped is not None and stopped.state == "queued", stopped
        assert not (tmp_path / f"{job.id}.xlsx").exists()

        # Now as a crash leaves it: "running", a lease nobody renews, a half-written file.
        db["export_jobs"].update_one({"_id": job.id}, {"$set": {"state": "running", "lease_until": time.time() - 1,
                                                                "done": 3000}})
        jobs.part_path(stopped, ".xlsx").write_bytes(b"half a workbook")
        restarted = ExportJobs(db["export_jobs"], tmp_path, lease_s=30)  # a new process
        second = ExportWorker(restarted, case_list_runner(db["cases"], restarted), poll_s=0.05)
        second.start()
        for _ in range(1200):
            done = restarted.get(job.id)
            if done is not None and done.state in ("done", "failed"):
                break
            await asyncio.sleep(0.05)
        await second.close()
        final = restarted.get(job.id)
        assert final is not None
        return final

    try:
        job = asyncio.run(scenario())
    finally:
        client.drop_database(f"export_{db_name}")
        client.close()
    assert job.state == "done", job
    assert job.done == job.total == 4500
    assert steps and max(steps) < 4500  # the first run was stopped before its end
    rows = _rows(tmp_path / f"{job.id}.xlsx")
    assert rows[0] == HEADERS
    assert len(rows) == 4501
    assert {r[4] for r in rows[1:]} == {"เมืองสกลนคร"}
    assert not list(tmp_path.glob("*.part"))


@pytest.fixture
def service(kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Callable[[], Any]:
    from registration.main import create_app
    from registration.settings import Settings

    monkeypatch.setenv("REGISTRATION_EXPORT_DIR", str(tmp_path / "exports"))
    settings = Settings(kafka_bootstrap_servers=kafka.bootstrap, mongodb_uri=mongodb_uri,
                        oidc_issuer_url=issuer_url, mongodb_database=f"reg_{db_name}")
    return lambda: serve(create_app(settings))


def test_export_over_http_with_scope_audit_and_restart(service: Callable[[], Any], token_for: Token,
                                                       mongodb_uri: str, db_name: str, tmp_path: Path) -> None:
    running = service()
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    db = client[f"reg_{db_name}"]
    try:
        db["cases"].insert_many(list(documents(300, 250, others=["4702", "4801"], receipt_year=2560)))

        def call(persona: str) -> httpx.Client:
            return httpx.Client(base_url=running.url, timeout=30,
                                headers={"Authorization": f"Bearer {token_for(persona)}"})

        officer, province = call("district_officer:4701"), call("province_officer:47")
        other = call("province_officer:48")
        refused = call("registrar:4701").post("/api/v1/exports/cases", json={})
        assert refused.status_code == 403 and refused.json()["detail"]["code"] == "access.forbidden"
        outside = officer.post("/api/v1/exports/cases", json={"district_code": "4702"})
        assert outside.status_code == 403 and outside.json()["detail"]["code"] == "export.outside_scope"

        started = officer.post("/api/v1/exports/cases", json={})
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        assert wait_until(lambda: officer.get(f"/api/v1/exports/cases/{job_id}").json()["state"] == "done", 30)
        status = officer.get(f"/api/v1/exports/cases/{job_id}").json()
        assert status["percent"] == 100 and status["total"] == 250 and status["download_url"].endswith("/file")
        assert province.get(f"/api/v1/exports/cases/{job_id}").status_code == 200  # may export 4701 too
        assert other.get(f"/api/v1/exports/cases/{job_id}").status_code == 404
        assert other.get(f"/api/v1/exports/cases/{job_id}/file").status_code == 404
        got = officer.get(status["download_url"])
        assert got.status_code == 200 and got.headers["content-type"].startswith("application/vnd.openxmlformats")
        path = tmp_path / "download.xlsx"
        path.write_bytes(got.content)
        rows = _rows(path)
        assert len(rows) == 251 and rows[0] == HEADERS
        assert [j["id"] for j in officer.get("/api/v1/exports/cases").json()] == [job_id]

        audits = list(db["outbox"].find({"topic": "audit-events", "event.action": {"$in": ["case.export",
                                                                                           "case.export_download"]}}))
        by_action = {(a["event"]["action"], a["event"]["outcome"]) for a in audits}
        assert ("case.export", "allowed") in by_action and ("case.export", "denied") in by_action
        assert ("case.export_download", "allowed") in by_action
        assert any(job_id in (a["event"].get("target") or "") for a in audits)

        # A crashed process's job (running, lease lapsed) is finished by the next start of the service.
        crashed = province.post("/api/v1/exports/cases", json={}).json()["id"]
        stop_service(running)
        db["export_jobs"].update_one({"_id": crashed}, {"$set": {"state": "running", "done": 100, "file_name": None,
                                                                 "lease_until": time.time() - 1}})
        running = service()
        province = httpx.Client(base_url=running.url, timeout=30,
                                headers={"Authorization": f"Bearer {token_for('province_officer:47')}"})
        assert wait_until(lambda: province.get(f"/api/v1/exports/cases/{crashed}").json()["state"] == "done", 30)
        in_47 = sum(1 for _ in db["cases"].find({"province_code": {"$eq": "47"}}, {"_id": 1}))
        assert province.get(f"/api/v1/exports/cases/{crashed}").json()["total"] == in_47 > 250  # 4701 and 4702
    finally:
        stop_service(running)
        client.close()
