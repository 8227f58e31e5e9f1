"""A workaround for a Faust bug, named as such: after a rebalance a worker can hold partitions it never fetches.

Seen here in the two-worker takeover test under load, and reported upstream (faust-streaming #629, "certain
topic partitions are not sending fetch requests"; robinhood/faust #678): the survivor is assigned the dead
worker's partitions, recovery completes, and those partitions are never read — no error, no pause, flow active.
The guard notices an assigned input partition with records beyond its committed offset (the next offset to
process) whose committed offset has not moved for ``stall_after`` seconds, and seeks it to that offset; reading
resumes there
(events read again change nothing: ``reporting.totals.cases``, 1.). The decision is pure (:class:`StallGuard`);
``reporting.streams`` runs it on a timer against Faust's consumer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

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
