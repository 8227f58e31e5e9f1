"""Acking an input only once the broker holds everything its processing wrote.

Faust acks an event when the agent moves on, even if the agent raised, and its commit flush gives up on its
changelog buffer after 0.1 s without progress, so a commit can precede a changelog write. The streamed totals
(``reporting.streams``) therefore read a ``noack()`` stream: :class:`TrackedTable` keeps the futures of its
changelog writes and a batch's events are acked only after :func:`wait_durable` saw the broker acknowledge those
and every record the batch sent. A failure crashes the worker with the events unacked, so they are processed
again after the restart, which changes nothing (``reporting.totals.partials``, 1.-4.).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from typing import Any

from faust.tables.table import Table

# How a record goes out: (topic, key, value) -> the future of its acknowledgement; send_now, or a test's fake.
Send = Callable[[Any, str, dict[str, Any]], Awaitable[Awaitable[Any]]]


async def send_now(topic: Any, key: str, value: dict[str, Any]) -> Awaitable[Any]:
    """Hands a record to the producer; returns the future of the broker's acknowledgement."""
    future: Awaitable[Any] = await topic.send(key=key, value=value)
    return future


class BatchProducer:
    """The worker's writes of one batch through one confluent-kafka producer (librdkafka, C): the totals rows
    (:meth:`send`, a :data:`Send`) and the table's values (:meth:`write`: the local store and the changelog,
    encoded once). Measured: Faust's Python producer and its per-write changelog path were about a quarter
    of the worker's time. :meth:`flush` (in a thread, so the loop goes on) returns once the broker
    acknowledged every record of the batch (acks=all, idempotent), then records the changelog offsets in
    the store as Faust's own changelog callback does (so a restart restores only what came after), and
    resolves the batch's future, which every record of the batch returned."""

    def __init__(self, bootstrap: str, *, timeout: float = 60.0, producer: Any = None) -> None:
        if producer is None:
            from confluent_kafka import Producer

            producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                                 "linger.ms": 5, "log_level": 3})
        self.producer = producer
        self.timeout = timeout
        self.batch: asyncio.Future[Any] | None = None
        self.errors: list[Any] = []
        self.offsets: dict[tuple[str, int], int] = {}  # (changelog topic, partition) -> last offset written
        self.stores: dict[str, Any] = {}

    def _future(self) -> asyncio.Future[Any]:
        if self.batch is None:
            self.batch = asyncio.get_running_loop().create_future()
        return self.batch

    def _failed(self, error: Any, _message: Any) -> None:  # in the flushing thread
        if error is not None:
            self.errors.append(error)

    async def send(self, topic: Any, key: str, value: dict[str, Any]) -> Awaitable[Any]:
        import orjson

        name = topic if isinstance(topic, str) else topic.get_topic_name()
        self._produce(name, key.encode(), orjson.dumps(value), None, self._failed)
        return self._future()

    def write(self, table: Any, key: str, value: Any, partition: int) -> Awaitable[Any]:
        """``table[key] = value`` in the local store (of the current event's partition) and its changelog."""
        store = table.data
        key_bytes, value_bytes = store._encode_key(key), store._encode_value(value)
        store._set(key_bytes, value_bytes)
        topic = table.changelog_topic.get_topic_name()
        self.stores[topic] = store

        def delivered(error: Any, message: Any) -> None:  # in the flushing thread
            if error is not None:
                self.errors.append(error)
            else:
                slot = (topic, message.partition())
                self.offsets[slot] = max(self.offsets.get(slot, -1), message.offset())

        self._produce(topic, key_bytes, value_bytes, partition, delivered)
        return self._future()

    def _produce(self, topic: str, key: bytes, value: bytes, partition: int | None, callback: Any) -> None:
        options = {} if partition is None else {"partition": partition}
        while True:
            try:
                self.producer.produce(topic, key=key, value=value, on_delivery=callback, **options)
                return
            except BufferError:  # the local queue is full: serve deliveries to drain it
                self.producer.poll(0.05)

    async def flush(self) -> None:
        batch, self.batch = self.batch, None
        if batch is None:
            return
        left = await asyncio.to_thread(self.producer.flush, self.timeout)
        errors, self.errors = self.errors, []
        offsets, self.offsets = self.offsets, {}
        if left or errors:
            batch.set_exception(RuntimeError(f"records not acknowledged: {errors or f'{left} left after timeout'}"))
            return
        from faust.types import TP

        for (topic, partition), offset in offsets.items():
            self.stores[topic].set_persisted_offset(TP(topic, partition), offset)
        batch.set_result(None)


class BatchTable(MutableMapping[str, Any]):
    """A table as one batch of one partition writes it: reads through Faust, writes through the batch's producer."""

    def __init__(self, table: Any, producer: BatchProducer, partition: int) -> None:
        self.table, self.producer, self.partition = table, producer, partition

    def __getitem__(self, key: str) -> Any:
        return self.table[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.producer.write(self.table, key, value, self.partition)

    def __delitem__(self, key: str) -> None:
        raise NotImplementedError("case values are never deleted")

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)


class TrackedTable(Table[str, Any]):
    """A table that keeps the futures of its changelog writes until :meth:`drain`, so that an input is acked
    only once the changelog holds what it wrote (``track=False`` in tests, where no producer runs)."""

    def __init__(self, *args: Any, track: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.track = track
        self.unsettled: list[Awaitable[Any]] = []

    def send_changelog(self, *args: Any, **kwargs: Any) -> Any:
        future = super().send_changelog(*args, **kwargs)
        if self.track:
            self.unsettled.append(future)
        return future

    def drain(self) -> list[Awaitable[Any]]:
        drained, self.unsettled = self.unsettled, []
        return drained


async def wait_durable(sent: Iterable[Awaitable[Any]], timeout: float) -> None:
    """Returns once the broker acknowledged every record in ``sent``; raises its error, or TimeoutError after
    ``timeout`` seconds. The caller acks its inputs only after this returns: on a raise the worker crashes with
    them unacked, and they are read again after the restart (applying them twice changes nothing)."""
    futures = list({id(f): asyncio.ensure_future(f) for f in sent}.values())  # a batch shares one future
    if not futures:
        return
    # asyncio.wait, not wait_for(gather): a timeout must not cancel the producer's own futures.
    done, pending = await asyncio.wait(futures, timeout=timeout)
    if pending:
        raise TimeoutError(f"{len(pending)} records not acknowledged by the broker in {timeout} s")
    for future in done:
        future.result()  # the broker's error, if any
