"""The worker's batch producer (``reporting.totals.durable.BatchProducer``) against a stand-in for
confluent-kafka's producer: a table write goes to the local store and the changelog once, a batch's future
resolves only after the flush saw every record acknowledged, and the changelog offsets are recorded then."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest

from reporting.totals.durable import BatchProducer, BatchTable, wait_durable


class FakeProducer:
    """Records what is produced; ``flush`` delivers it all (or fails one record when told)."""

    def __init__(self, fail: bool = False) -> None:
        self.records: list[dict[str, Any]] = []
        self.waiting: list[tuple[dict[str, Any], Any]] = []
        self.fail = fail

    def produce(self, topic: str, key: bytes, value: bytes, on_delivery: Any, partition: int = -1) -> None:
        record = {"topic": topic, "key": key, "value": value, "partition": partition}
        self.records.append(record)
        self.waiting.append((record, on_delivery))

    def poll(self, timeout: float) -> int:
        return 0

    def flush(self, timeout: float) -> int:
        for offset, (record, callback) in enumerate(self.waiting):
            message = SimpleNamespace(partition=lambda r=record: r["partition"], offset=lambda o=offset: 10 + o)
            callback("broker said no" if self.fail and offset == 0 else None, message)
        self.waiting.clear()
        return 0


class FakeStore:
    def __init__(self) -> None:
        self.values: dict[bytes, bytes] = {}
        self.persisted: dict[Any, int] = {}

    def _encode_key(self, key: str) -> bytes:
        return key.encode()

    def _encode_value(self, value: Any) -> bytes:
        return json.dumps(value).encode()

    def _set(self, key: bytes, value: bytes) -> None:
        self.values[key] = value

    def set_persisted_offset(self, tp: Any, offset: int) -> None:
        self.persisted[tp] = offset


def table() -> Any:
    changelog = SimpleNamespace(get_topic_name=lambda: "app-cases-changelog")
    return SimpleNamespace(data=FakeStore(), changelog_topic=changelog)


def test_a_write_goes_to_the_store_and_the_changelog_once_and_its_offset_is_recorded_after_the_flush() -> None:
    async def check() -> None:
        fake, cases = FakeProducer(), table()
        producer = BatchProducer("unused", producer=fake)
        BatchTable(cases, producer, 4)["c-1"] = {"part": 4}
        row = await producer.send(SimpleNamespace(get_topic_name=lambda: "totals"), "district:4701:p4", {"v": 1})
        assert cases.data.values == {b"c-1": b'{"part": 4}'}
        assert [(r["topic"], r["partition"], r["value"]) for r in fake.records] == [
            ("app-cases-changelog", 4, b'{"part": 4}'), ("totals", -1, b'{"v":1}')]
        batch = producer.batch
        assert batch is row and not batch.done() and not cases.data.persisted  # nothing acknowledged yet
        await producer.flush()
        await wait_durable([batch, batch], 1.0)
        ((tp, offset),) = cases.data.persisted.items()
        assert (tp.topic, tp.partition, offset) == ("app-cases-changelog", 4, 10)
        assert producer.batch is None  # the next record starts a new batch

    asyncio.run(check())


def test_a_record_the_broker_refused_fails_the_batch_and_records_no_offset() -> None:
    async def check() -> None:
        fake, cases = FakeProducer(fail=True), table()
        producer = BatchProducer("unused", producer=fake)
        BatchTable(cases, producer, 1)["c-1"] = {"part": 1}
        batch = producer.batch
        assert batch is not None
        await producer.flush()
        with pytest.raises(RuntimeError, match="broker said no"):
            await wait_durable([batch], 1.0)
        assert not cases.data.persisted

    asyncio.run(check())
