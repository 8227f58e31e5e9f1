"""Faust's consumer, handing each fetched batch of the streamed totals' input topics to one coroutine (an adapter).

Why: Faust delivers every record through its conductor, a channel queue and an agent's stream, ~118 µs a record
on this machine: a ceiling of ~8,500 events/s whatever the agent does, under the 20,000/s goal
(``bench/faust_ceiling.py``, docs/benchmarks.md). The app here names a handler per input topic
(:attr:`BatchApp.batch_handlers`) and the consumer gives it every fetched record of that topic at once. Every
other topic (the tables' changelogs, read while recovering and as standbys) still goes through Faust's own
per-record path, so recovery, standbys, commits, acks and sensors are Faust's.

Rebalances: Faust stops the flow and, before resuming it, seeks every partition to its committed offset. A batch
fetched before such a stop is dropped, not handled, and read offsets are only moved without an ``await`` after the
check: handling it would move the read offsets past records the seek is about to deliver again, and Faust would
then drop those as already read (a partition that stalls, as faust-streaming #629 reports for its own loop).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import faust
from faust.transport.drivers import aiokafka as driver

BatchHandler = Callable[[list[Any]], Awaitable[None]]


class BatchConsumer(driver.Consumer):
    """Hands each fetched batch of a topic in ``app.batch_handlers`` to its handler; Faust's own loop otherwise."""

    flow_stops = 0  # counts stop_flow calls: a batch fetched before one is stale

    def stop_flow(self) -> None:
        self.flow_stops += 1
        super().stop_flow()

    async def _drain_messages(self, fetcher: Any) -> None:
        try:
            await self._drain_batches(fetcher)
        except self.consumer_stopped_errors:
            if not self.transport.app.should_stop:
                raise
            self.log.info("Broker stopped consumer, shutting down...")

    async def _drain_batches(self, fetcher: Any) -> None:
        handlers: dict[str, BatchHandler] = self.app.batch_handlers  # type: ignore[attr-defined]  # a BatchApp
        while not (self._stopped.is_set() or fetcher._stopped.is_set()):
            stops = self.flow_stops
            fetched = [pair async for pair in self.getmany(timeout=1.0)]
            await self.sleep(0)  # getmany may not have yielded to the loop
            if stops != self.flow_stops or not self.flow_active:
                continue  # a rebalance or recovery began: its seek delivers these again
            if self._commit_every is not None and self._n_acked >= self._commit_every:
                self._n_acked = 0
                await self.commit()
            batches: dict[str, list[Any]] = {}
            others: list[Any] = []
            gaps: list[tuple[Any, int, int]] = []
            for _, message in fetched:  # no await in this loop: see the module docstring
                if message.topic not in handlers:
                    others.append(message)
                elif self._unread(message, gaps):
                    self._read_offset[message.tp] = message.offset
                    self.track_message(message)  # Faust's bookkeeping of unacked records, and its sensors
                    batches.setdefault(message.topic, []).append(message)
            for tp, start, end in gaps:
                await self._add_gap(tp, start, end)
            for topic, messages in batches.items():
                await handlers[topic](messages)
            for message in others:
                await self._faust_path(message)

    def _unread(self, message: Any, gaps: list[tuple[Any, int, int]]) -> bool:
        """Faust's test (``faust.transport.consumer.Consumer._drain_messages``): not read yet; a jump in offsets
        (compaction, transaction markers) is noted in ``gaps`` for the commit."""
        known = self._read_offset[message.tp]
        if known is not None and message.offset < known:
            return False
        if known and message.offset - known > 1 and self.app.topics.acks_enabled_for(message.topic):
            gaps.append((message.tp, known + 1, message.offset))
        return True

    async def _faust_path(self, message: Any) -> None:
        """What Faust's own loop does with one record."""
        gaps: list[tuple[Any, int, int]] = []
        if not self._unread(message, gaps):
            return
        for tp, start, end in gaps:
            await self._add_gap(tp, start, end)
        await self.wait_first(self.callback(message), self.suspend_flow.wait())
        self._read_offset[message.tp] = message.offset


class BatchTransport(driver.Transport):
    Consumer = BatchConsumer


class BatchApp(faust.App):
    """A Faust app whose consumer hands whole batches of ``batch_handlers``' topics to them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch_handlers: dict[str, BatchHandler] = {}

    def handle_batches(self, topic: Any, handler: BatchHandler) -> None:
        """Subscribes to ``topic`` (acks enabled) with ``handler`` for its records."""
        self.topics.add(topic)
        self.batch_handlers[topic.get_topic_name()] = handler

    def _new_transport(self) -> Any:
        return BatchTransport(self.conf.broker_consumer, self)  # no loop: Faust resolves it lazily
