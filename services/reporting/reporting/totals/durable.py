"""Acking inputs only once the broker holds everything their processing wrote.

Faust's own loop acks a record when the agent moves on, even if the agent raised, and its commit flush gives up
on its changelog buffer after 0.1 s without progress, so a commit can precede a changelog write. The streamed
totals (``reporting.streams``) therefore ack themselves: :class:`AckWhenDurable` acks a batch's records only after
the broker acknowledged every changelog record and every record their processing sent. A failure crashes the
worker with the records unacked, so they are processed again after the restart, which changes nothing
(``reporting.totals.cases``, 1.).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any


class AckWhenDurable:
    """Acks a stream's events in batches, each only after the broker acknowledged every record its processing
    produced. An event whose records fail or time out is never acked: the error propagates, the worker
    crashes, and the event is read again after the restart (applying it twice changes nothing)."""

    def __init__(self, ack: Callable[[Any], Any], *, batch: int, timeout: float,
                 flush: Callable[[], Awaitable[Sequence[Awaitable[Any]]]] | None = None) -> None:
        self.ack = ack
        self.flush = flush  # sends what the tracked events left pending; its records are waited for too
        self.settling = asyncio.Lock()
        self.batch = batch
        self.timeout = timeout
        self.events: list[Any] = []
        self.sent: list[Awaitable[Any]] = []

    def track(self, events: Iterable[Any], sent: Iterable[Awaitable[Any]]) -> None:
        """Records to ack once ``sent`` (and what ``flush`` sends for them) is acknowledged."""
        self.events.extend(events)
        self.sent.extend(sent)

    @property
    def due(self) -> bool:
        return len(self.events) >= self.batch

    async def settle(self) -> int:
        """Sends what the tracked events left pending (``flush``), waits for their records, then acks them; the
        number acked. One settle at a time: an event tracked while one is under way may have its records in
        that one's flush, and is acked only by a later settle, after that flush was acknowledged."""
        async with self.settling:
            events, sent = self.events, self.sent
            self.events, self.sent = [], []  # taken before awaiting: events tracked meanwhile go to the next one
            if self.flush is not None:
                sent.extend(await self.flush())  # every taken event's pending records at least
            if sent:
                # asyncio.wait, not wait_for(gather): a timeout must not cancel the producer's own futures.
                done, pending = await asyncio.wait([asyncio.ensure_future(f) for f in sent], timeout=self.timeout)
                if pending:
                    raise TimeoutError(f"{len(pending)} records not acknowledged by the broker in {self.timeout} s")
                for future in done:
                    future.result()  # the broker's error, if any
            for event in events:
                self.ack(event)
            return len(events)
