"""The web process's live read model of the totals: the compacted ``totals`` topic, read from its beginning
into a :class:`reporting.totals.rollup.RollUp` by one consumer thread.

Why a materialised view and not a database: the Faust worker (``reporting.streams``) is the only writer of
totals and publishes every district row, absolute and versioned, to a compacted topic. Reading that topic
from the start rebuilds every figure exactly (``RollUp`` keeps the highest version per row, so a row read
twice or out of order changes nothing), in seconds for the ~1,000 districts times their days. So the view
keeps no committed offsets (no consumer group state to go stale) and needs no store of its own; a restart
reads the topic again. It is *ready* once it has read up to the end offsets the topic had when it started.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, Self

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

from reporting.totals.districts import TotalsRow
from reporting.totals.figures import NATION, ImpossibleFigures
from reporting.totals.rollup import RollUp

log = logging.getLogger(__name__)

TOTALS_TOPIC = "totals"
Unit = tuple[str, str]  # (level, code); the nation's code is "" here, as the dashboards name it


def _rollup_code(level: str, code: str) -> str:
    return NATION if level == "nation" else code


def units_of(row: TotalsRow) -> set[Unit]:
    """The (level, code) pairs whose figures a district row changes."""
    return {("district", row.district), ("province", row.district[:2]), ("nation", "")}


class TotalsView:
    """District, province and national figures as the ``totals`` topic has them, kept current by a consumer
    thread (:meth:`start`); read from any thread, watched from an event loop (:meth:`changes`)."""

    def __init__(self, bootstrap: str, *, topic: str = TOTALS_TOPIC, batch: int = 1000, poll: float = 0.2) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.batch = batch
        self.poll = poll
        self.rollup = RollUp()
        self.version = 0  # grows with every row applied
        self.refused = 0  # rows that could not be read (logged)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._watchers: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[set[Unit]]]] = set()
        self.error: str | None = None  # why it is not (yet) reading, for /readyz

    # --- reading -----------------------------------------------------------------------------------------

    def figures(self, level: str, code: str, day: str | None = None) -> dict[str, int]:
        with self._lock:
            return self.rollup.figures(level, _rollup_code(level, code), day)

    def days(self, level: str, code: str) -> list[str]:
        with self._lock:
            return self.rollup.days(level, _rollup_code(level, code))

    def units(self, level: str, parent: str = "") -> list[str]:
        """Codes of the provinces (or the districts of province ``parent``) that have figures."""
        with self._lock:
            return sorted({code for (lv, code, day) in self.rollup.sums
                           if lv == level and day is None and code.startswith(parent)})

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def check_ready(self) -> None:
        """For /readyz: raises until the view has caught up with the topic as it was at start."""
        if not self._ready.is_set():
            raise RuntimeError(self.error or f"still reading {self.topic} from its beginning")

    def wait_ready(self, timeout: float) -> bool:
        return self._ready.wait(timeout)

    async def changes(self) -> AsyncIterator[set[Unit]]:
        """The (level, code) pairs whose figures changed, batched: everything applied since the last yield."""
        queue: asyncio.Queue[set[Unit]] = asyncio.Queue()
        watcher = (asyncio.get_running_loop(), queue)
        self._watchers.add(watcher)
        try:
            while True:
                changed = set(await queue.get())
                while not queue.empty():
                    changed |= queue.get_nowait()
                yield changed
        finally:
            self._watchers.discard(watcher)

    # --- applying ----------------------------------------------------------------------------------------

    def apply(self, values: Iterable[bytes | None]) -> set[Unit]:
        """Applies raw rows of the topic (tombstones and unreadable rows skipped); the units changed."""
        rows = []
        for value in values:
            if value is None:
                continue
            try:
                rows.append(TotalsRow.from_json(json.loads(value)))
            except (ValueError, KeyError, TypeError, ImpossibleFigures) as broken:
                self.refused += 1
                log.error("unreadable totals row: %s", broken)
        changed: set[Unit] = set()
        with self._lock:
            for row in rows:
                if self.rollup.apply(row):
                    self.version += 1
                    changed |= units_of(row)
        if changed:
            self._notify(changed)
        return changed

    def _notify(self, changed: set[Unit]) -> None:
        for loop, queue in list(self._watchers):
            try:
                loop.call_soon_threadsafe(queue.put_nowait, set(changed))
            except RuntimeError:  # the watcher's loop is closed
                self._watchers.discard((loop, queue))

    # --- the consumer thread -----------------------------------------------------------------------------

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name="totals-view", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._read()
            except Exception as failed:  # noqa: BLE001 - the broker may be away; read again from the start
                self.error = f"{type(failed).__name__}: {failed}"[:300]
                log.warning("totals view: %s; reading again", self.error)
                self._stop.wait(1.0)

    def _read(self) -> None:
        # No group: partitions are assigned by hand and no offset is ever committed (a materialised view).
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": f"totals-view-{uuid.uuid4()}",
                             "enable.auto.commit": False, "enable.auto.offset.store": False,
                             "fetch.wait.max.ms": 100, "log_level": 3})
        try:
            ends = self._end_offsets(consumer)
            if ends is None:
                return
            consumer.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in ends])
            behind = {p for p, end in ends.items() if end > 0}
            if not behind:
                self._caught_up()
            while not self._stop.is_set():
                messages = consumer.consume(self.batch, self.poll)
                values = []
                for message in messages:
                    error = message.error()
                    if error is not None:
                        if error.fatal():
                            raise KafkaException(error)
                        continue
                    values.append(message.value())
                    partition, offset = message.partition(), message.offset()
                    if partition in behind and offset is not None and offset + 1 >= ends[partition]:
                        behind.discard(partition)
                self.apply(values)
                if behind and not self._ready.is_set():
                    # A compacted partition's last offsets may be gone: caught up once the position reaches the end.
                    for tp in consumer.position([TopicPartition(self.topic, p) for p in behind]):
                        if tp.offset >= ends[tp.partition]:
                            behind.discard(tp.partition)
                if not behind and not self._ready.is_set():
                    self._caught_up()
        finally:
            consumer.close()

    def _end_offsets(self, consumer: Consumer) -> dict[int, int] | None:
        """The topic's end offset per partition now; None (after a pause) while the topic does not exist."""
        metadata = consumer.list_topics(self.topic, timeout=5.0).topics.get(self.topic)
        if metadata is None or metadata.error is not None or not metadata.partitions:
            self.error = f"topic {self.topic} not found on {self.bootstrap}"
            self._stop.wait(1.0)
            return None
        ends = {}
        for partition in metadata.partitions:
            _, high = consumer.get_watermark_offsets(TopicPartition(self.topic, partition), timeout=5.0)
            ends[partition] = high
        return ends

    def _caught_up(self) -> None:
        self.error = None
        self._ready.set()
        log.info("totals view caught up: %d rows, version %d", len(self.rollup.rows), self.version)


def wait_for(predicate: Callable[[], Any], timeout: float, interval: float = 0.05) -> bool:
    """Polls ``predicate`` until it is truthy or ``timeout`` passes (for the worker tests and the bench)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
