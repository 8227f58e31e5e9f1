from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from infra.dev.testing import wait_until
from registration.outbox.group_commit import GroupCommit

BLOCKER = 0


class Store:
    """Commits batches; a batch holding a negative number fails as a whole, like an aborted transaction.
    Committing item 0 waits for ``release``, so the test can queue up requests behind it."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.singles: list[int] = []
        self.release = threading.Event()
        self.blocked = threading.Event()

    def batch(self, items: Sequence[int]) -> list[int | Exception]:
        if any(i < 0 for i in items):
            raise RuntimeError("abort")
        self.batches.append(list(items))
        return [ValueError(i) if i == 13 else i * 10 for i in items]

    def one(self, item: int) -> int:
        if item == BLOCKER:
            self.blocked.set()
            self.release.wait(5)
        if item < 0:
            raise KeyError(item)
        self.singles.append(item)
        return item * 10


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def group(store: Store) -> Iterator[GroupCommit[int, int]]:
    committer = GroupCommit(store.batch, store.one, max_batch=64)
    committer.start()
    yield committer
    store.release.set()
    committer.stop()


def queued_behind_a_blocker(group: GroupCommit[int, int], store: Store, items: list[int]) -> list[Future[int]]:
    pool = ThreadPoolExecutor(len(items) + 1)
    pool.submit(group.submit, BLOCKER)
    assert store.blocked.wait(5)  # the writer is inside the blocker's commit
    futures = [pool.submit(group.submit, item) for item in items]
    assert wait_until(lambda: group.waiting == len(items), timeout=5)
    store.release.set()
    pool.shutdown(wait=False)
    return futures


def test_requests_arriving_during_a_commit_are_committed_together(group: GroupCommit[int, int], store: Store) -> None:
    futures = queued_behind_a_blocker(group, store, list(range(21, 41)))
    assert [f.result(5) for f in futures] == [n * 10 for n in range(21, 41)]
    assert sorted(store.batches[0]) == list(range(21, 41))  # one transaction for all twenty
    assert store.singles == [BLOCKER]


def test_a_failed_batch_is_retried_item_by_item(group: GroupCommit[int, int], store: Store) -> None:
    good, bad, other = queued_behind_a_blocker(group, store, [1, -1, 2])
    assert good.result(5) == 10 and other.result(5) == 20
    with pytest.raises(KeyError):
        bad.result(5)
    assert store.batches == [] and sorted(store.singles) == [BLOCKER, 1, 2]


def test_an_item_answered_with_an_exception_raises_it_alone(group: GroupCommit[int, int], store: Store) -> None:
    unlucky, fine = queued_behind_a_blocker(group, store, [13, 4])
    with pytest.raises(ValueError, match="13"):
        unlucky.result(5)
    assert fine.result(5) == 40 and store.batches == [[13, 4]]


def test_without_the_writer_thread_submissions_are_committed_directly(store: Store) -> None:
    assert GroupCommit(store.batch, store.one).submit(7) == 70
    assert store.singles == [7]
