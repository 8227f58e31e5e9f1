"""Group commit: one writer thread stores, in one transaction, whatever concurrent requests submitted
while its previous transaction was committing.

Under a registration surge this turns N small transactions into one (fewer round trips, one
commit), and on the dev stack, whose MongoDB stand-in cannot run transactions concurrently, it is
what lets requests proceed in parallel at all. A batch that fails is retried item by item, so one
bad item fails alone; ``commit_batch`` may also answer an item with an exception of its own.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    def __init__(self, commit_batch: Callable[[Sequence[T]], Sequence[R | Exception]], commit_one: Callable[[T], R], *,
                 max_batch: int = 64, name: str = "group-commit") -> None:
        self._commit_batch = commit_batch
        self._commit_one = commit_one
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[T, Future[R]]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def waiting(self) -> int:
        """Submissions not yet picked up by the writer (approximate, for metrics and tests)."""
        return self._queue.qsize()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
        self._drain()

    def submit(self, item: T, timeout: float = 30.0) -> R:
        """Blocks until ``item`` is committed; returns its result or raises its own error."""
        future: Future[R] = Future()
        self._queue.put((item, future))
        if not self.running:  # stopped meanwhile: nobody else will pick it up
            self._drain()
        return future.result(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                first = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._commit(batch)
            except Exception as exc:
                log.exception("group commit of %d items failed", len(batch))
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)

    def _drain(self) -> None:
        pending = []
        while True:
            try:
                pending.append(self._queue.get_nowait())
            except queue.Empty:
                break
        for item, future in pending:
            self._one(item, future)

    def _commit(self, batch: list[tuple[T, Future[R]]]) -> None:
        if len(batch) > 1:
            try:
                results = self._commit_batch([item for item, _ in batch])
            except Exception:
                log.info("a batch of %d failed; committing its items one by one", len(batch), exc_info=True)
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    if isinstance(result, Exception):
                        future.set_exception(result)  # an outcome decided for this item alone
                    else:
                        future.set_result(result)
                return
        for item, future in batch:
            self._one(item, future)

    def _one(self, item: T, future: Future[R]) -> None:
        try:
            future.set_result(self._commit_one(item))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting request, which re-raises it
            future.set_exception(exc)
