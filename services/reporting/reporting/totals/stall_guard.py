"""A workaround for a Faust bug, named as such: after a rebalance a worker can hold partitions it never fetches.

Seen here in the two-worker takeover test under load, and reported upstream (faust-streaming #629, "certain
topic partitions are not sending fetch requests"; robinhood/faust #678): the survivor is assigned the dead
worker's partitions, recovery completes, and those partitions are never read — no error, no pause, flow active.
The guard notices an assigned input partition with records beyond its committed offset (the next offset to
process) whose committed offset has not moved for ``stall_after`` seconds, and seeks it to that offset; reading
resumes there
(events read again change nothing: ``reporting.totals.cases``, 1.). The decision is pure (:class:`StallGuard`);
:func:`unstick` is the timer ``reporting.streams`` runs it with against Faust's consumer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from prometheus_client import Counter

log = logging.getLogger(__name__)

Partition = TypeVar("Partition", bound=Hashable)


@dataclass(frozen=True)
class _Seen:
    position: int | None
    since: float


class StallGuard(Generic[Partition]):
    """Which partitions have stalled: records to process (``end`` past the next offset to process) and no progress
    for ``stall_after`` seconds. A partition is reported once per stall, then watched afresh."""

    def __init__(self, stall_after: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.stall_after, self.clock = stall_after, clock
        self._seen: dict[Partition, _Seen] = {}

    def stalled(self, positions: Mapping[Partition, int | None], ends: Mapping[Partition, int]) -> list[Partition]:
        """``positions``: the next offset to process per partition (None: none known); ``ends``: each watched
        partition's log end offset (the next offset to be written). Others are forgotten."""
        now, found = self.clock(), list[Partition]()
        for tp, end in ends.items():
            position = positions.get(tp)
            behind = end > (position or 0)
            seen = self._seen.get(tp)
            if seen is None or seen.position != position or not behind:
                self._seen[tp] = _Seen(position, now)
            elif now - seen.since >= self.stall_after:
                found.append(tp)
                self._seen[tp] = _Seen(position, now)
        for tp in set(self._seen) - set(ends):
            del self._seen[tp]
        return found


STALLED_PARTITIONS = Counter("streamed_totals_stalled_partitions_total", "Checks that found input partitions of a "
                             "topic assigned but not fetched, and sought them back to where the group left off (a "
                             "Faust bug's workaround: reporting.totals.stall_guard)", ["topic"])


def unstick(app: Any, guard: StallGuard[Any], topics: set[str], busy: Callable[[], bool]
            ) -> Callable[[], Awaitable[None]]:
    """The stall guard's timer: an input partition assigned here whose committed offset stands still below its end
    (``reporting.totals.stall_guard``) is sought to that offset, or to its first record when the group has none.
    The committed offset, not the consumer's position: in the stalls seen here aiokafka had fetched every record
    but none reached the handlers. Not while a settle waits for the broker (``busy``) or Faust holds a partition
    back for a full buffer. A failed check is logged and tried again at the next tick (an exception from a timer
    would crash the worker)."""

    async def check() -> None:
        consumer = app.consumer
        # Faust's own bookkeeping has no public accessor: partitions held back for back-pressure, and the
        # offsets it committed (or found committed at the last rebalance), the next ones to process.
        held, committed = consumer._buffered_partitions, consumer._committed_offset
        inputs = [tp for tp in consumer.assignment() if tp.topic in topics and tp not in held]
        if not inputs or not consumer.flow_active or busy():  # a rebalance, recovery or settle under way
            guard.stalled({}, {})  # watched afresh once reading resumes
            return
        try:
            ends = await consumer.highwaters(*inputs)
            targets: dict[Any, int] = {}
            for tp in guard.stalled({tp: committed.get(tp) for tp in inputs}, ends):
                if tp not in consumer.assignment():
                    continue  # revoked while this check awaited
                offset = committed.get(tp)
                targets[tp] = offset if offset is not None else (await consumer.earliest_offsets(tp)).get(tp, 0)
            if targets:
                for topic in {tp.topic for tp in targets}:
                    STALLED_PARTITIONS.labels(topic).inc()  # once per topic and check: an episode, not a count
                log.warning("input partitions %s assigned but not processed for %.0f s; seeking to the group's offsets",
                            sorted(f"{tp.topic}[{tp.partition}]@{offset}" for tp, offset in targets.items()),
                            guard.stall_after)
                await consumer.seek_wait(targets)  # on the consumer's own thread, as Faust seeks
        except Exception:
            log.exception("stall guard check failed; trying again at the next tick")

    return check
