"""Fakes for the streamed totals' handlers without a broker: records handed to the handlers as the consumer
would, what they send captured by a fake sink, and the app built around them."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

import reporting.totals.handlers as handlers_module
from contracts import registry
from reporting.streams import create_app
from reporting.totals.batch_io import Record
from reporting.totals.cases import apply_case_event
from reporting.totals.districts import Districts, TotalsRow
from reporting.totals.handlers import Streams
from reporting.totals.rollup import RollUp, roll_up
from reporting.totals.topics import CASE_EVENTS, UNIT_CHANGES

EXAMPLES = [event for t in CASE_EVENTS.events for _, event in registry.examples(t, 1)]
STORES = ["memory://", pytest.param("rocksdb://", marks=pytest.mark.skipif(
    importlib.util.find_spec("rocksdict") is None, reason="rocksdict not installed"))]


class Sent:
    """Stands in for the producer: records what was sent; the broker acknowledges at once unless told."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str, Any]] = []
        self.headers: list[tuple[str, str, list[tuple[str, bytes]]]] = []
        self.partitions: list[tuple[str, int | None]] = []
        self.acknowledge = True
        self.pending: list[asyncio.Future[Any]] = []

    async def send(self, topic: str, partition: int | None, records: Sequence[Record]
                   ) -> list[asyncio.Future[Any]]:
        if not records:
            return []
        for key, value, headers in records:
            decoded_key = (key or b"").decode()
            self.records.append((topic, decoded_key, orjson.loads(value) if value is not None else None))
            self.headers.append((topic, decoded_key, headers))
        self.partitions.append((topic, partition))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.acknowledge:
            future.set_result(acknowledged(len(self.records) - len(records)))
        else:
            self.pending.append(future)
        return [future]  # one batch, one acknowledgement

    def take(self, topic: str) -> list[tuple[str, Any]]:
        taken = [(key, value) for name, key, value in self.records if name == topic]
        self.records = [r for r in self.records if r[0] != topic]
        return taken

    def besides_changelogs(self) -> list[tuple[str, str, Any]]:
        return [r for r in self.records if not r[0].endswith("-changelog")]


def acknowledged(offset: int) -> SimpleNamespace:
    """What the broker's acknowledgement of a batch resolves to (aiokafka's RecordMetadata): its first offset."""
    return SimpleNamespace(offset=offset)


@dataclass
class Message:
    """A consumed record as Faust's consumer hands it over (the fields the handlers read)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    acked: bool = False


def run(test: Callable[..., Coroutine[Any, Any, None]], *args: Any) -> None:
    asyncio.run(test(*args))


def acknowledge(message: Message) -> None:
    message.acked = True


def build(sent: Sent, store: str = "memory://", datadir: Path | None = None, **kwargs: Any) -> Streams:
    options: dict[str, Any] = {"ack_batch": 1, "ack": acknowledge, **kwargs}
    streams = create_app(broker="localhost:1", store=store, datadir=datadir, sink=sent, **options)
    streams.app.finalize()
    return streams


def partition_of(key: str, partitions: int = 6) -> int:
    return sum(key.encode()) % partitions  # any fixed choice: one key, one partition, as Kafka keys them


OFFSETS: dict[tuple[str, int], int] = {}


def message(topic: str, key: str, value: bytes, headers: list[tuple[str, bytes]] | None = None) -> Message:
    partition = partition_of(key)
    offset = OFFSETS[topic, partition] = OFFSETS.get((topic, partition), -1) + 1
    return Message(topic, partition, offset, key.encode(), value, headers or [])


def case_message(event: dict[str, Any], headers: list[tuple[str, bytes]] | None = None) -> Message:
    return message(CASE_EVENTS.name, event["case_id"], json.dumps(event, ensure_ascii=False).encode(), headers)


async def put_case_events(streams: Streams, events: list[dict[str, Any]], batch: int = 1) -> list[Message]:
    """Hands ``events`` to the cases handler ``batch`` at a time; the messages, acked or not."""
    messages = [case_message(event) for event in events]
    for start in range(0, len(messages), batch):
        await streams.on_case_events(messages[start:start + batch])
    await settled(streams)
    return messages


async def settled(streams: Streams) -> None:
    """Waits for the settle a handler started in the background when its batch came due."""
    if streams.settling is not None:
        await streams.settling


async def put_unit_changes(streams: Streams, changes: list[tuple[str, Any]],
                           headers: list[tuple[str, bytes]] | None = None) -> list[Message]:
    messages = [message(UNIT_CHANGES, district, orjson.dumps(change), headers) for district, change in changes]
    await streams.on_unit_changes(messages)
    await settled(streams)
    return messages


def outcomes(handler: str) -> dict[str, float]:
    return {outcome: handlers_module.INPUTS.labels(handler, outcome)._value.get()
            for outcome in ("applied", "unchanged", "ignored", "refused")}


def counted(before: dict[str, float], handler: str) -> dict[str, float]:
    after = outcomes(handler)
    return {outcome: after[outcome] - before[outcome] for outcome in after if after[outcome] != before[outcome]}


def pure_totals(events: list[dict[str, Any]]) -> RollUp:
    """The same events through the pure functions (reporting.totals.cases, .districts, .rollup), for comparison."""
    records: dict[str, Any] = {}
    districts = Districts({}, {})
    rows: list[TotalsRow] = []
    for event in events:
        result = apply_case_event(records, event)
        assert result is not None
        rows.extend(districts.apply(change)[1] for change in result[1])
    return roll_up(rows)


