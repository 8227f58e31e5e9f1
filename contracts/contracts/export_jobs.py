"""Export jobs, shared by registration's case-list export and reporting's monthly-report exports: a record per
job in MongoDB, and a worker in the web process that runs them one at a time.

A job is ``queued`` → ``running`` → ``done`` (a file to download until it expires) or ``failed``. A running job
holds a lease it renews with each progress step; a worker that stops (a restart, a crash) leaves it to run again
from the start: on a clean shutdown it is put back in the queue at once, after a crash when its lease lapses.
The file is written beside its final name and renamed when complete, so a half-written file is never served.

Times used in comparisons are epoch seconds (floats): nx-27017, the dev MongoDB, takes a slow path for any
filter holding a datetime.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.collection import Collection

log = logging.getLogger(__name__)

Doc = dict[str, Any]
MAX_ATTEMPTS = 3  # a job that stopped its worker this often is given up (it would stop the next one too)


class Interrupted(Exception):
    """The worker is stopping: the job goes back to the queue."""


@dataclass(frozen=True)
class ExportJob:
    id: str
    kind: str
    owner_sub: str
    scope_level: str
    scope_code: str
    params: dict[str, Any]
    state: str  # queued, running, done, failed, expired
    done: int
    total: int | None
    error: str | None
    file_name: str | None
    size: int | None
    created_at: float
    finished_at: float | None
    expires_at: float | None
    attempts: int

    @classmethod
    def of(cls, doc: Doc) -> ExportJob:
        return cls(
            id=doc["_id"], kind=doc["kind"], owner_sub=doc["owner_sub"], scope_level=doc["scope_level"],
            scope_code=doc["scope_code"], params=dict(doc.get("params") or {}), state=doc["state"],
            done=int(doc.get("done") or 0), total=doc.get("total"), error=doc.get("error"),
            file_name=doc.get("file_name"), size=doc.get("size"), created_at=float(doc["created_at"]),
            finished_at=doc.get("finished_at"), expires_at=doc.get("expires_at"),
            attempts=int(doc.get("attempts") or 0),
        )

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


class Progress:
    """What a running job reports through: rows done (renewing the lease), and whether to stop."""

    def __init__(self, jobs: ExportJobs, job_id: str, stop: threading.Event, every: int = 2000) -> None:
        self.jobs, self.job_id, self.stop, self.every = jobs, job_id, stop, every
        self._last = 0

    def total(self, total: int) -> None:
        self.jobs.collection.update_one({"_id": self.job_id}, {"$set": {"total": total}})

    def step(self, done: int) -> None:
        if done - self._last < self.every:
            return
        self._last = done
        if self.stop.is_set():
            raise Interrupted
        self.jobs.collection.update_one({"_id": self.job_id},
                                        {"$set": {"done": done, "lease_until": time.time() + self.jobs.lease_s}})


class ExportJobs:
    def __init__(self, collection: Collection[Doc], directory: Path, *, lease_s: float = 60.0,
                 keep_s: float = 24 * 3600.0) -> None:
        self.collection = collection
        self.directory = directory
        self.lease_s = lease_s
        self.keep_s = keep_s

    def ensure_indexes(self) -> None:
        self.collection.create_index([("state", ASCENDING), ("created_at", ASCENDING)], name="export_jobs_queue")
        self.collection.create_index([("owner_sub", ASCENDING), ("created_at", ASCENDING)], name="export_jobs_owner")
        self.directory.mkdir(parents=True, exist_ok=True)

    def create(self, kind: str, owner_sub: str, scope: tuple[str, str], params: dict[str, Any]) -> ExportJob:
        doc: Doc = {"_id": uuid.uuid4().hex, "kind": kind, "owner_sub": owner_sub, "scope_level": scope[0],
                    "scope_code": scope[1], "params": params, "state": "queued", "done": 0, "total": None,
                    "error": None, "file_name": None, "size": None, "created_at": time.time(), "finished_at": None,
                    "expires_at": None, "attempts": 0, "lease_until": 0.0}
        self.collection.insert_one(doc)
        return ExportJob.of(doc)

    def get(self, job_id: str) -> ExportJob | None:
        doc = self.collection.find_one({"_id": {"$eq": job_id}})
        return ExportJob.of(doc) if doc else None

    def of_owner(self, owner_sub: str, limit: int = 20) -> list[ExportJob]:
        found = self.collection.find({"owner_sub": {"$eq": owner_sub}}).sort([("created_at", -1)]).limit(limit)
        return [ExportJob.of(doc) for doc in found]

    def claim(self) -> ExportJob | None:
        """The oldest queued job, or a running one whose worker stopped renewing its lease; now ours."""
        now = time.time()
        take = {"$set": {"state": "running", "lease_until": now + self.lease_s, "done": 0}, "$inc": {"attempts": 1}}
        for where in ({"state": {"$eq": "queued"}}, {"state": {"$eq": "running"}, "lease_until": {"$lt": now}}):
            doc = self.collection.find_one_and_update(where, take, sort=[("created_at", ASCENDING)],
                                                      return_document=ReturnDocument.AFTER)
            if doc is not None:
                return ExportJob.of(doc)
        return None

    def requeue(self, job_id: str) -> None:
        self.collection.update_one({"_id": job_id, "state": {"$eq": "running"}},
                                   {"$set": {"state": "queued", "done": 0, "lease_until": 0.0},
                                    "$inc": {"attempts": -1}})

    def finish(self, job_id: str, file_name: str, size: int, rows: int) -> None:
        now = time.time()
        self.collection.update_one({"_id": job_id}, {"$set": {
            "state": "done", "file_name": file_name, "size": size, "done": rows, "total": rows,
            "finished_at": now, "expires_at": now + self.keep_s}})

    def fail(self, job_id: str, error: str) -> None:
        self.collection.update_one({"_id": job_id}, {"$set": {"state": "failed", "error": error[:500],
                                                              "finished_at": time.time()}})

    def path(self, job: ExportJob) -> Path | None:
        return self.directory / job.file_name if job.file_name else None

    def part_path(self, job: ExportJob, suffix: str) -> Path:
        return self.directory / f"{job.id}{suffix}.part"

    def expire(self) -> int:
        """Deletes the files of jobs past their time; their records stay (state ``expired``) as a history."""
        gone = 0
        for doc in list(self.collection.find({"state": {"$eq": "done"}, "expires_at": {"$lt": time.time()}})):
            job = ExportJob.of(doc)
            path = self.path(job)
            if path is not None:
                path.unlink(missing_ok=True)
            self.collection.update_one({"_id": job.id}, {"$set": {"state": "expired"}})
            gone += 1
        return gone


Runner = Callable[[ExportJob, Progress], tuple[str, int]]  # writes the job's file: (file name, rows)


def run_one(jobs: ExportJobs, job: ExportJob, runner: Runner, stop: threading.Event) -> None:
    """Runs a claimed job to its end: done, failed, or back in the queue if the worker is stopping."""
    if job.attempts > MAX_ATTEMPTS:
        jobs.fail(job.id, "ส่งออกไม่สำเร็จหลายครั้ง / gave up after repeated interruptions")
        return
    try:
        file_name, rows = runner(job, Progress(jobs, job.id, stop))
    except Interrupted:
        jobs.requeue(job.id)
        return
    except Exception as problem:  # any failure of one job is recorded on it, the worker goes on
        log.exception("export job %s failed", job.id)
        jobs.fail(job.id, f"{type(problem).__name__}")
        return
    path = jobs.directory / file_name
    jobs.finish(job.id, file_name, path.stat().st_size, rows)


class ExportWorker:
    """The background task of the web process: claims jobs one at a time and runs each in a thread."""

    def __init__(self, jobs: ExportJobs, runner: Runner, *, poll_s: float = 1.0, sweep_s: float = 300.0) -> None:
        self.jobs, self.runner, self.poll_s, self.sweep_s = jobs, runner, poll_s, sweep_s
        self.stop = threading.Event()
        self.wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def close(self) -> None:
        self.stop.set()
        self.wake.set()
        if self._task is not None:
            await self._task

    async def _loop(self) -> None:
        swept = 0.0
        while not self.stop.is_set():
            try:
                if time.monotonic() - swept > self.sweep_s:
                    swept = time.monotonic()
                    await asyncio.to_thread(self.jobs.expire)
                job = await asyncio.to_thread(self.jobs.claim)
                if job is not None:
                    await asyncio.to_thread(run_one, self.jobs, job, self.runner, self.stop)
                    continue
            except Exception:  # the store away for a moment must not end the worker
                log.exception("export worker")
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.poll_s)


def atomic_rename(part: Path, final: Path) -> None:
    os.replace(part, final)
