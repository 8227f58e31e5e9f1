"""The streamed totals' state and records, read and written a batch at a time around Faust's per-key table API
and per-record producer (an adapter).

Why: through Faust's API one table write (serialise, RocksDB put, one changelog record through its producer
buffer) costs ~100 µs here, and so does one record sent (``bench/faust_ceiling.py``). Here a batch's values of
one table partition go to RocksDB in one ``WriteBatch`` and to the changelog in aiokafka ``BatchBuilder``s on
the producer Faust runs; records to other topics go out the same way. What is written is exactly what Faust
itself would write and restore: keys and values in Faust's ``json`` serialisation (orjson, as Faust uses it),
the changelog partition that of the input, and the changelog offset kept in the store once the broker has it
(conservatively the first offset of the last ``BatchBuilder``: recovery may re-read a few records, never skip
one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from functools import cached_property, lru_cache
from typing import Any, Protocol

import orjson
from aiokafka.partitioner import murmur2  # type: ignore[import-untyped]
from faust.types import TP

Headers = list[tuple[str, bytes]]
Record = tuple[bytes | None, bytes | None, Headers]  # key, value, headers


class RecordSink(Protocol):
    """Where records go: Kafka in the worker (:class:`KafkaBatches`), a fake in unit tests."""

    async def send(self, topic: str, partition: int | None, records: Sequence[Record]) -> list[asyncio.Future[Any]]:
        """Hands ``records`` to the producer (to ``partition``, or by key); the futures of their acknowledgement
        (each resolves to the record metadata of one batch: its first offset)."""
        ...


class KafkaBatches:
    """Records out through the aiokafka producer of a Faust app, one ``BatchBuilder`` per partition at a time."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def send(self, topic: str, partition: int | None, records: Sequence[Record]) -> list[asyncio.Future[Any]]:
        producer = self.app.producer._ensure_producer()  # the aiokafka producer Faust started
        if partition is not None:
            return await self._send(producer, topic, partition, records)
        await producer.client._wait_on_metadata(topic)
        partitions = sorted(producer.client.cluster.partitions_for_topic(topic))
        by_partition: dict[int, list[Record]] = {}
        for record in records:
            by_partition.setdefault(partitions[partition_of(record[0], len(partitions))], []).append(record)
        return [future for number, some in by_partition.items()
                for future in await self._send(producer, topic, number, some)]

    @staticmethod
    async def _send(producer: Any, topic: str, partition: int, records: Iterable[Record]
                    ) -> list[asyncio.Future[Any]]:
        futures: list[asyncio.Future[Any]] = []
        batch = producer.create_batch()
        for key, value, headers in records:
            if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                futures.append(await producer.send_batch(batch, topic, partition=partition))
                batch = producer.create_batch()
                if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                    raise ValueError(f"a record of {len(value or b'')} bytes is larger than a batch for {topic}")
        if batch.record_count():
            futures.append(await producer.send_batch(batch, topic, partition=partition))
        return futures


@lru_cache(maxsize=1 << 16)  # keys repeat (districts, their days), and murmur2 is pure Python here
def partition_of(key: bytes | None, partitions: int) -> int:
    """The partition Faust's producer (aiokafka's DefaultPartitioner) and Java's pick for a keyed record."""
    if key is None:
        raise ValueError("records to other topics are keyed here")
    return int(murmur2(key) & 0x7FFFFFFF) % partitions


def encode(value: Any) -> bytes:
    """Faust's ``json`` serialisation (it uses orjson with these options when orjson is installed)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z)


class PartitionValues:
    """One partition of a table during one batch: reads fall through to the store, writes stay here until
    :meth:`BatchTable.write` sends them together. The domain code sees a plain mapping of JSON values."""

    def __init__(self, table: BatchTable, partition: int) -> None:
        self.table = table
        self.partition = partition
        self.written: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.written:
            return self.written[key]
        value = self.table.read(self.partition, key)
        return default if value is None else value

    def __setitem__(self, key: str, value: Any) -> None:
        self.written[key] = value


class BatchTable:
    """A Faust table (``key_serializer``/``value_serializer`` json) read and written a batch at a time."""

    def __init__(self, table: Any, sink: RecordSink) -> None:
        self.table = table
        self.sink = sink

    @property
    def store(self) -> Any:
        return self.table.data  # Faust's Store: RocksDB in the worker, memory in some tests

    @cached_property
    def rocksdb(self) -> bool:
        """Faust's RocksDB store keeps encoded bytes, one database per partition; its memory store, decoded
        keys and values in one dict."""
        return hasattr(self.store, "_db_for_partition")

    def values(self, partition: int) -> PartitionValues:
        return PartitionValues(self, partition)

    def read(self, partition: int, key: str) -> Any:
        if not self.rocksdb:
            return self.store.data.get(key)
        raw = self.store._db_for_partition(partition).get(encode(key))
        return None if raw is None else orjson.loads(raw)

    async def write(self, values: PartitionValues) -> list[asyncio.Future[Any]]:
        """Stores what ``values`` holds and sends it to the changelog; the futures of the changelog records."""
        if not values.written:
            return []
        partition, store = values.partition, self.store
        pairs = [(encode(key), encode(value)) for key, value in values.written.items()]
        if self.rocksdb:
            from rocksdict import WriteBatch  # only where the RocksDB store is used

            batch = WriteBatch(raw_mode=True)
            for key, value in pairs:
                batch.put(key, value)
            store._db_for_partition(partition).write(batch)
        else:
            store.data.update(values.written)
        topic = self.table.changelog_topic.get_topic_name()
        futures = await self.sink.send(topic, partition, [(key, value, []) for key, value in pairs])
        if futures:  # every earlier record is before the last batch's first offset
            tp = TP(topic, partition)
            futures[-1].add_done_callback(
                lambda done: store.set_persisted_offset(tp, done.result().offset)
                if not done.cancelled() and done.exception() is None else None)
        return futures
