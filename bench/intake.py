"""bench/intake: registrations per second and p50/p99 latency over HTTP at 50 concurrent clients,
against a baseline measured in the same run on the same servers.

The dev stack is started here as ``make run`` starts it: a real Kafka broker and a real Keycloak
(their own processes; the token is Keycloak's), nx-27017 (its own process) and
registration as its own process (``python -m registration``), so the load generator does not share
the service's interpreter. Every request is a desk registration of a different debtor with a
bearer token, through validation, the access policy, the receipt counter and one MongoDB
transaction (case + CaseRegistered + AuditRecorded); the outbox relay publishes meanwhile.

Baseline: the same case and outbox documents inserted with raw pymongo (``insert_one`` +
``insert_many``) plus a raw confluent-kafka produce of the same two events, from 50 threads.

``python -m bench intake [--requests N] [--concurrency C]``
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from confluent_kafka import Producer
from pymongo import MongoClient

from bench.load import Run, httpx_load, raw_load
from contracts import codec
from infra.dev.kafka import DevKafka
from infra.dev.mongo import DevMongo
from infra.dev.testing import free_port, keycloak_stack

UNIT = "4701"


def citizen_id(n: int) -> str:
    first12 = f"5{n:011d}"
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10
    return first12 + str(check)


def registration_body(n: int) -> dict[str, Any]:
    return {
        "channel": "desk",
        "debtor": {
            "citizen_id": citizen_id(n), "title": "นาง", "given_name": "สมศรี", "family_name": "ใจดี",
            "birth_date": "12/03/2520", "phone": "081-234-5678",
            "address": {"line": "99 หมู่ 3", "subdistrict_code": "470101", "district_code": UNIT,
                        "province_code": "47", "postal_code": "47000"},
            "occupation": "ค้าขาย", "monthly_income": "9,000",
        },
        "creditors": [{"kind": "person", "name": "เจ๊หน่อย", "phone": "0891112222", "how_met": "acquaintance",
                       "debts": [{"principal": "20,000", "start_date": "2024-01-15", "interest_rate": "20",
                                  "interest_period": "month", "instalment": "1,000", "instalment_frequency": "daily",
                                  "repaid": "5,000", "outstanding": "26,000.50", "collateral": ["id_card"]}]}],
        "help_wanted": ["mediation"],
        "privacy_acknowledged": True,
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux), to tell cost per request from waiting."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Stack:
    bootstrap: str
    mongo_uri: str
    registration_url: str
    token: str
    registration_pid: int
    mongo_pid: int


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"registration exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("registration did not become ready")


@contextmanager
def dev_stack(workdir: Path, service_module: str = "registration") -> Iterator[Stack]:
    with ExitStack() as stack:
        kafka = stack.enter_context(DevKafka(workdir / "kafka", free_port(), free_port()))
        kafka.create_contract_topics()
        mongo = stack.enter_context(DevMongo(workdir / "mongo", free_port()))
        keycloak = stack.enter_context(keycloak_stack(workdir / "keycloak"))
        reg_port = free_port()
        # One load generator is one address: lift the per-address limit, or the bench measures 429s.
        env = {**os.environ, "REGISTRATION_API_RATE_PER_ADDRESS": "1000000",
               "REGISTRATION_API_RATE_PER_CITIZEN": "1000000",
               "ENV": "dev", "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap, "MONGODB_URI": mongo.uri,
               "OIDC_ISSUER_URL": keycloak.issuer, "REGISTRATION_PORT": str(reg_port),
               "REGISTRATION_MONGODB_DATABASE": "bench"}
        log = (workdir / "registration.log").open("ab")
        process = subprocess.Popen([sys.executable, "-m", service_module], env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        stack.callback(process.wait, 15)
        stack.callback(process.terminate)
        url = f"http://127.0.0.1:{reg_port}"
        _wait_ready(url, process)
        token = keycloak.accounts.token(f"registrar:{UNIT}")
        mongo_pid = int((workdir / "mongo" / "nx.pid").read_text().strip())
        yield Stack(kafka.bootstrap, mongo.uri, url, token, process.pid, mongo_pid)


def _baseline_documents(numbers: range) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The case and outbox documents the service would store, built by the service's own code."""
    from registration.cases.docs import case_doc, case_from_doc
    from registration.cases.events import (
        AUDIT_EVENTS,
        CASE_EVENTS,
        Actor,
        AuditAction,
        audit_recorded,
        case_registered,
    )
    from registration.cases.model import NewCase
    from registration.cases.registering import outbox_doc
    from registration.intake.validation import DeskOfficer, validate_registration

    now = datetime.now(UTC)
    actor = Actor.of("bench", ["registrar"], UNIT, "127.0.0.1")
    docs = []
    for n in numbers:
        case = validate_registration(registration_body(n), today=date.today(), desk=DeskOfficer(UNIT, "bench"))
        assert isinstance(case, NewCase), case
        case_id = f"c-{uuid.uuid4().hex}"
        doc = case_doc(case_id, f"47-2569-{n:06d}", "2569", case, now, "bench")
        events = [outbox_doc(CASE_EVENTS, case_registered(case_from_doc(doc)), now, 2 * n),
                  outbox_doc(AUDIT_EVENTS, audit_recorded(actor, AuditAction.CREATE, True, case_id), now, 2 * n + 1)]
        docs.append((doc, events))
    return docs


def baseline_run(stack: Stack, numbers: range, concurrency: int) -> Run:
    from registration.cases.store import CaseRepository
    from registration.outbox.relay import producer_config

    docs = _baseline_documents(numbers)
    count = len(numbers)
    client: MongoClient[dict[str, Any]] = MongoClient(stack.mongo_uri, tz_aware=True)
    db = client["bench_baseline"]
    CaseRepository(db).ensure_indexes()  # the same indexes, so storage does the same work
    producer = Producer(producer_config(stack.bootstrap))
    encoded = [[(*codec.encode(o["topic"], o["event"]), o["topic"]) for o in outbox] for _, outbox in docs]

    def one(i: int) -> float:
        started = time.perf_counter()
        case, outbox = docs[i]
        db["cases"].insert_one(case)
        db["outbox"].insert_many(outbox)
        for key, value, headers, topic in encoded[i]:
            producer.produce(topic, value=value, key=key, headers=headers)
        producer.poll(0)
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(one, range(count)))
    producer.flush(30)
    wall = time.perf_counter() - started
    client.close()
    return Run("baseline", latencies, wall)


def outbox_drained(stack: Stack, timeout: float = 60) -> float:
    client: MongoClient[dict[str, Any]] = MongoClient(stack.mongo_uri)
    started = time.perf_counter()
    try:
        while client["bench"]["outbox"].count_documents({"sent": False}) and time.perf_counter() - started < timeout:
            time.sleep(0.1)
        return time.perf_counter() - started
    finally:
        client.close()


def measured(pids: dict[str, int], count: int, load: Callable[[], Run]) -> Run:
    """``load()`` with the CPU time each process spent per registration meanwhile."""
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    run = load()
    run.cpu_ms = {name: (cpu_seconds(pid) - before[name]) * 1000 / count for name, pid in pids.items()}
    return run


@contextmanager
def profiling(pid: int, out: str | None) -> Iterator[None]:
    if out is None:
        yield
        return
    spy = Path(sys.executable).with_name("py-spy")
    recorder = subprocess.Popen([str(spy), "record", "--pid", str(pid), "--format", "raw", "--output", out,
                                 "--rate", "250", "--gil"])
    time.sleep(1.0)  # py-spy attaches
    try:
        yield
    finally:
        recorder.send_signal(2)
        recorder.wait(30)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return f"{os.cpu_count()} cores {cpu}, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench intake")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--profile", metavar="FILE", help="py-spy the service during the HTTP run (collapsed stacks)")
    parser.add_argument("--service-module", default="registration", help="module run as the service (experiments)")
    parser.add_argument("--httpx", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure with httpx as the client (default: yes)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp, dev_stack(Path(tmp), args.service_module) as stack:
        print(f"bench/intake: {args.requests} desk registrations per run, {args.concurrency} concurrent clients; "
              f"{machine()}")
        n, c, url, path = args.requests, args.concurrency, stack.registration_url, "/api/v1/registrations"
        baseline_run(stack, range(10_000_000, 10_000_000 + args.warmup), c)
        raw_load(url, path, stack.token, registration_body, range(20_000_000, 20_000_000 + args.warmup), c)
        pids = {"bench": os.getpid(), "mongo": stack.mongo_pid, "service": stack.registration_pid}
        baseline = measured(pids, n, lambda: baseline_run(stack, range(0, n), c))
        with profiling(stack.registration_pid, args.profile):
            raw = measured(pids, n, lambda: raw_load(url, path, stack.token, registration_body, range(n, 2 * n), c))
        runs = [baseline, raw]
        if args.httpx:
            runs.append(measured(pids, n, lambda: httpx_load(url, path, stack.token, registration_body,
                                                               range(2 * n, 3 * n), c)))
        drained = outbox_drained(stack)
        for run in runs:
            print(run.line())
        for run in runs[1:]:
            print(f"{run.name}: ratio to baseline {run.per_second / baseline.per_second:.2f} (goal >= 0.5), "
                  f"p99 {run.pct(0.99):.0f} ms (goal < 200 ms)")
        print(f"outbox drained {drained:.1f} s after the last response")
        if any(run.failures for run in runs):
            raise SystemExit("some registrations failed; see the registration log")
