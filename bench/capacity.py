"""bench/capacity: CPU seconds per registration, per case event and per message, each measured on its own
process (``/proc/<pid>/stat``), and the replicas they call for at ten times the day-one surge.

- registration: ``python -m registration`` on the dev stack (real Kafka and Keycloak, nx-27017), N desk
  registrations over HTTP at 20 concurrent clients; its CPU from the first request until the outbox is
  drained, so the relay's publishing is counted too.
- reporting worker: ``python -m reporting.streams worker`` reading M synthetic case events
  (``reporting.totals.sample``) until its totals equal the recount; CPU from its first output.
- notify: notify's consumer, intake and one sending worker per provider (SMTP, SMS gateway) in a child
  process of their own, its consumer group starting at the end of ``case-events`` (past the registration
  phase's events), then K registrations (2 messages each) produced; CPU until the sinks — in this process,
  not counted — have every message.

Each process is first left idle for ``--idle`` seconds: what it burns doing nothing (polling, heartbeats) is
reported apart, as cores per replica, so a sizing is ``idle × replicas + rate × CPU per unit``.

``python -m bench.capacity [--registrations N] [--events M] [--messages-of K] [--idle S]``
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from confluent_kafka import Consumer, Producer, TopicPartition
from pymongo import MongoClient

from bench.intake import Stack, cpu_seconds, dev_stack, machine, outbox_drained, registration_body
from bench.load import raw_load
from contracts import codec

# Ten times the real day-one surge (22,090 registrations in 17 hours), most of it early: the busiest hour is
# assumed to carry a quarter of the day, and the busiest minute twice that hour's average.
SURGE = 10 * 22_090
PEAK_HOUR_SHARE = 0.25
PEAK_MINUTE_FACTOR = 2.0
UTILISATION = 0.6  # of one core per replica at the peak minute: headroom for GC, restarts, a lost node
CASE_EVENTS_PER_REGISTRATION = 3.3  # CaseRegistered, then updates (creditors, debts), transfers, closures
MESSAGES_PER_REGISTRATION = 2  # the debtor's SMS receipt and the district's e-mail (notify.planning)


@dataclass
class Cost:
    what: str
    unit: str
    count: int
    cpu_s: float  # CPU seconds over the measured work
    idle_cores: float  # CPU seconds per second while idle

    @property
    def per_unit_ms(self) -> float:
        return self.cpu_s * 1000 / self.count


def idle_cores(pid: int, seconds: float) -> float:
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


def wait_until(done: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench/capacity: {what} did not finish in {timeout:.0f} s")
        time.sleep(0.05)


# ---- registration ----

def registration_cost(stack: Stack, count: int, idle: float) -> tuple[Cost, float]:
    """The cost, and the case events each registration put in the outbox."""
    url, path = stack.registration_url, "/api/v1/registrations"
    raw_load(url, path, stack.token, registration_body, range(30_000_000, 30_000_100), 20)  # warm-up
    outbox_drained(stack)
    client: MongoClient[dict[str, Any]] = MongoClient(stack.mongo_uri)
    case_events_before = client["bench"]["outbox"].count_documents({"topic": {"$eq": "case-events"}})
    rest = idle_cores(stack.registration_pid, idle)
    before, store_before = cpu_seconds(stack.registration_pid), cpu_seconds(stack.mongo_pid)
    run = raw_load(url, path, stack.token, registration_body, range(31_000_000, 31_000_000 + count), 20)
    outbox_drained(stack)
    cpu = cpu_seconds(stack.registration_pid) - before
    store_ms = (cpu_seconds(stack.mongo_pid) - store_before) * 1000 / count
    print(f"(nx-27017, the dev MongoDB stand-in, meanwhile: {store_ms:.1f} ms CPU per registration — SQLite, "
          f"not a MongoDB figure)", flush=True)
    case_events = client["bench"]["outbox"].count_documents({"topic": {"$eq": "case-events"}}) - case_events_before
    client.close()
    if run.failures:
        raise SystemExit(f"bench/capacity: {run.failures} registrations failed: {run.statuses}")
    return Cost("registration service", "registration", count, cpu, rest), case_events / count


# ---- reporting worker ----

def worker_exited(tmp: Path) -> NoReturn:
    tail = (tmp / "worker-0.log").read_text(errors="replace")[-3000:]
    raise SystemExit(f"bench/capacity: the reporting worker exited:\n{tail}")


def worker_cost(bootstrap: str, tmp: Path, events: int, idle: float) -> Cost:
    from bench.reporting import TimedView, create_topics, produce_all, workers
    from reporting.totals.sample import MANY_DISTRICTS, expected_totals, iter_case_events

    tag = uuid.uuid4().hex[:8]
    case_events, totals = f"capacity-case-events-{tag}", f"totals-capacity-{tag}"
    create_topics(bootstrap, case_events, totals)
    view = TimedView(bootstrap, topic=totals).start()
    assert view.wait_ready(30), view.error
    with workers(bootstrap, tmp, 1, case_events=case_events, totals=totals, app_id=f"capacity-{tag}") as started:
        pid = started[0].pid
        time.sleep(20)  # its start-up (joining the group, creating its tables) is not what is measured
        if started[0].poll() is not None:
            worker_exited(tmp)
        rest = idle_cores(pid, idle)

        def sample() -> Any:
            return iter_case_events(max(1, events * 10 // 33), seed=3, updates=2, transfer_share=0.1,
                                    close_share=0.2, districts=MANY_DISTRICTS, days=90)

        expected = expected_totals(sample())
        before = cpu_seconds(pid)
        count, _ = produce_all(bootstrap, case_events, sample())
        def caught_up() -> bool:
            if started[0].poll() is not None:
                worker_exited(tmp)
            return all(view.figures(lv, c) == f for (lv, c), f in expected.items())

        wait_until(caught_up, 1800, "the reporting worker")
        cpu = cpu_seconds(pid) - before
    view.stop()
    return Cost("reporting worker", "case event", count, cpu, rest)


# ---- notify ----

def notify_child(bootstrap: str, mongo_uri: str, http_url: str, smtp_port: int, group: str) -> None:
    """Notify's moving parts as the service runs them, in this process, until SIGTERM."""
    import signal
    import threading

    from notify.channels.port import Provider
    from notify.channels.sms_http import HttpSmsProvider
    from notify.channels.smtp import SmtpProvider
    from notify.consumer import BatchConsumer
    from notify.intake import Intake
    from notify.messages.model import Message
    from notify.messages.store import MessageStore
    from notify.messages.templates import Templates
    from notify.sending.ports import DevDirectory
    from notify.sending.worker import Worker

    class NoDeadLetters:
        def publish(self, message: Message, reason: str) -> None:
            print(f"dead letter: {reason}", file=sys.stderr, flush=True)

    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri, tz_aware=True)
    store = MessageStore(client["capacity_notify"])
    store.ensure_indexes()
    providers: list[Provider] = [SmtpProvider("127.0.0.1", smtp_port, "no-reply@dopa.example"),
                                 HttpSmsProvider(f"{http_url}/sms/send", "notify", "dev-sms-password", "DOPA")]
    senders = [Worker(store, p, Templates(), DevDirectory(), NoDeadLetters(), clock=lambda: datetime.now(UTC))
               for p in providers]
    consumer = BatchConsumer(["case-events"], Intake(store).apply_batch, bootstrap=bootstrap,
                             group_id=group)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    consumer.start()
    for sender in senders:
        sender.start()
    print("ready", flush=True)
    stopped.wait()
    consumer.stop()
    for sender in senders:
        sender.stop()
    client.close()


def commit_end_offsets(bootstrap: str, topic: str, group: str) -> None:
    """``group`` will start reading ``topic`` from its current end."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        ends = [TopicPartition(topic, p, consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1])
                for p in partitions]
        consumer.commit(offsets=ends, asynchronous=False)
    finally:
        consumer.close()


def settled_idle(pid: int, sent: Callable[[], int], seconds: float, timeout: float = 900) -> float:
    """Idle CPU (cores) over ``seconds`` in which ``sent()`` did not move, once it has stopped moving."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count, before = sent(), cpu_seconds(pid)
        time.sleep(seconds)
        if sent() == count:
            return (cpu_seconds(pid) - before) / seconds
    raise SystemExit("bench/capacity: notify never went idle")


def notify_cost(bootstrap: str, mongo_uri: str, registrations: int, idle: float) -> Cost:
    from bench.notify import registrations as sample_registrations
    from notify.devsinks.sinks import Sinks

    sinks = Sinks().start()
    group = f"capacity-{uuid.uuid4().hex[:8]}"
    # case-events already holds the registration phase's events: the child's group starts after them.
    commit_end_offsets(bootstrap, "case-events", group)
    child = subprocess.Popen([sys.executable, "-m", "bench.capacity", "--notify-child", bootstrap, mongo_uri,
                              sinks.http_url, str(sinks.smtp_port), group], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n", "notify child did not start"
        time.sleep(10)  # joining the consumer group
        rest = settled_idle(child.pid, lambda: len(sinks.outbox.items), idle)
        already = len(sinks.outbox.items)
        events = sample_registrations(registrations)
        before = cpu_seconds(child.pid)
        producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                             "linger.ms": 5})
        for event in events:
            key, value, headers = codec.encode("case-events", event)
            producer.produce("case-events", key=key, value=value, headers=headers)
        assert producer.flush(60) == 0
        expected = MESSAGES_PER_REGISTRATION * registrations
        wait_until(lambda: len(sinks.outbox.items) >= already + expected, 1800, "notify")
        cpu = cpu_seconds(child.pid) - before
    finally:
        child.terminate()
        child.wait(30)
        sinks.stop()
    return Cost("notify", "message", expected, cpu, rest)


# ---- sizing ----

def sizing(costs: dict[str, Cost], case_events_per_registration: float) -> list[str]:
    peak_hour = SURGE * PEAK_HOUR_SHARE / 3600
    peak = peak_hour * PEAK_MINUTE_FACTOR
    rates = {"registration": peak, "case event": peak * CASE_EVENTS_PER_REGISTRATION,
             "message": peak * MESSAGES_PER_REGISTRATION}
    lines = [f"ten times day one: {SURGE:,} registrations in 17 h = {SURGE / 17 / 3600:.1f}/s on average; "
             f"busiest hour {PEAK_HOUR_SHARE:.0%} of the day = {peak_hour:.1f}/s; busiest minute x"
             f"{PEAK_MINUTE_FACTOR:g} = {peak:.1f} registrations/s",
             f"  (the desk registration measured put {case_events_per_registration:.1f} case event(s) in the outbox; "
             f"sized with {CASE_EVENTS_PER_REGISTRATION} per registration for the updates that follow, and "
             f"{MESSAGES_PER_REGISTRATION} messages)"]
    for cost in costs.values():
        rate = rates[cost.unit]
        work = rate * cost.per_unit_ms / 1000
        usable = max(0.1, UTILISATION - cost.idle_cores)  # what a replica has left once it idles
        replicas = max(1, math.ceil(work / usable))
        lines.append(f"  {cost.what}: {rate:,.0f} {cost.unit}s/s x {cost.per_unit_ms:.2f} ms = {work:.2f} cores "
                     f"+ {cost.idle_cores:.3f} idle per replica -> {replicas} replica(s) at "
                     f"{UTILISATION:.0%} of a core")
    lines.append("  case-events partitions bound the reporting workers and the notify consumers that do work; "
                 "keep at least as many partitions as either needs (6 today)")
    return lines


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--notify-child"]:
        notify_child(argv[1], argv[2], argv[3], int(argv[4]), argv[5])
        return
    parser = argparse.ArgumentParser(prog="python -m bench.capacity")
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--events", type=int, default=60_000, help="case events for the reporting worker")
    parser.add_argument("--messages-of", type=int, default=1000, help="registrations notify sends messages for")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds each process is watched idle")
    args = parser.parse_args(argv)
    print(f"bench/capacity: {machine()}; load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="bench-capacity-") as tmp, dev_stack(Path(tmp)) as stack:
        costs: dict[str, Cost] = {}
        costs["registration"], per_registration = registration_cost(stack, args.registrations, args.idle)
        costs["worker"] = worker_cost(stack.bootstrap, Path(tmp), args.events, args.idle)
        costs["notify"] = notify_cost(stack.bootstrap, stack.mongo_uri, args.messages_of, args.idle)
        load = os.getloadavg()[0]
    for cost in costs.values():
        print(f"{cost.what}: {cost.per_unit_ms:.2f} ms CPU per {cost.unit} ({cost.count:,} {cost.unit}s, "
              f"{cost.cpu_s:.1f} CPU s); idle {cost.idle_cores * 1000:.0f} ms CPU per second")
    print(f"load average {load:.1f} at the end (other work on the machine inflates these figures)")
    print("\n".join(sizing(costs, per_registration)))


if __name__ == "__main__":
    main()
