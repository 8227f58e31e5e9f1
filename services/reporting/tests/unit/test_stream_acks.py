"""Acking, crashing and the worker process's ports of the streamed totals, without a broker (``stream_fakes``)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable
from typing import Any

import httpx
import pytest

from contracts.logs import CORRELATION_HEADER
from reporting.totals.durable import AckWhenDurable
from reporting.totals.topics import UNIT_CHANGES

from .stream_fakes import EXAMPLES, Message, Sent, build, case_message, run, settled


def test_a_failing_handler_crashes_the_worker_with_its_records_unacked() -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent)
        crashed: list[BaseException] = []

        async def crash(reason: BaseException) -> None:
            crashed.append(reason)

        streams.app.crash = crash  # type: ignore[method-assign]
        streams.acks["cases"].timeout = 0.01
        sent.acknowledge = False
        handler = streams.app.batch_handlers["case-events"]
        records = [case_message(EXAMPLES[0])]
        await handler(records)  # due at once (ack_batch 1): settled in the background
        with pytest.raises(TimeoutError):
            await settled(streams)
        assert [type(reason) for reason in crashed] == [TimeoutError] and not records[0].acked
        streams.settling = None
        with pytest.raises(AttributeError):  # a failure in the handler itself crashes the worker too
            await streams.app.batch_handlers[UNIT_CHANGES]([None])
        assert [type(reason) for reason in crashed] == [TimeoutError, AttributeError]

    run(check)


# --- acks ----------------------------------------------------------------------------------------------


def test_ack_when_durable_acks_in_order_after_every_future_and_never_on_failure() -> None:
    async def check() -> None:
        acked: list[str] = []
        loop = asyncio.get_running_loop()
        acks = AckWhenDurable(acked.append, batch=2, timeout=1.0)
        first, second = loop.create_future(), loop.create_future()
        acks.track(["e1"], [first])
        assert not acks.due
        acks.track(["e2"], [second])
        assert acks.due
        settling = asyncio.ensure_future(acks.settle())
        first.set_result(None)
        await asyncio.sleep(0.01)
        assert not acked  # e2's record is not acknowledged yet
        second.set_result(None)
        assert await settling == 2 and acked == ["e1", "e2"]

        failed = loop.create_future()
        acks.track(["e3"], [failed])
        failed.set_exception(RuntimeError("broker refused"))
        with pytest.raises(RuntimeError):
            await acks.settle()
        assert acked == ["e1", "e2"]
        acks.track(["e4"], [])
        assert await acks.settle() == 1 and acked[-1] == "e4"

    run(check)


def test_an_event_tracked_while_a_settle_flushes_is_acked_only_after_its_pending_records_are_sent() -> None:
    """Found while batching: a settle took events tracked during its flush but not their pending records,
    acked them, and nothing sent those records until the next event arrived."""
    async def check() -> None:
        acked: list[str] = []
        pending: list[str] = []
        sent: list[str] = []
        loop = asyncio.get_running_loop()

        async def flush() -> list[Awaitable[Any]]:
            taken = list(pending)
            pending.clear()
            await asyncio.sleep(0)  # sending yields to the loop: the handler tracks another event meanwhile
            sent.extend(taken)
            futures = [loop.create_future() for _ in taken]
            for future in futures:
                future.set_result(None)
            return list(futures)

        acks = AckWhenDurable(acked.append, batch=100, timeout=1.0, flush=flush)
        pending.append("changes of e1")
        acks.track(["e1"], [])
        first = asyncio.ensure_future(acks.settle())
        await asyncio.sleep(0)  # the settle is in its flush now
        pending.append("changes of e2")
        acks.track(["e2"], [])
        assert await first == 1 and acked == ["e1"]  # e2 was tracked after the settle took its events
        assert await acks.settle() == 1 and acked == ["e1", "e2"]
        assert sent == ["changes of e1", "changes of e2"]  # e2's records went out before e2 was acked

    run(check)


def test_the_worker_serves_faust_sensors_and_its_counters_on_its_metrics_port() -> None:
    from prometheus_client import CollectorRegistry

    from reporting.worker_process import expose_metrics

    registry = CollectorRegistry()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    streams = build(Sent())
    expose_metrics(streams, port, "127.0.0.1", registry)
    body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert "reporting_worker_messages_received_total" in body and "reporting_worker_total_rebalances" in body
    assert type(streams.app.monitor).__name__ == "PrometheusMonitor"


def test_the_worker_dead_letters_a_refused_record_with_where_it_was_and_its_correlation_id(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from reporting import worker_process

    published: list[tuple[Any, ...]] = []

    class Publisher:
        def __init__(self, bootstrap: str, consumer: str) -> None:
            assert (bootstrap, consumer) == ("localhost:1", "reporting")

        def publish(self, *args: Any) -> None:
            published.append(args)

    monkeypatch.setattr(worker_process, "DeadLetterPublisher", Publisher)
    reject = worker_process.dead_letters("localhost:1", "reporting")
    refused = Message("case-events", 2, 7, b"c-1", b"not json", [(CORRELATION_HEADER, b"req-9")])
    asyncio.run(reject(refused, "not JSON"))
    assert published == [("case-events", 2, 7, b"not json", "not JSON", "req-9")]
