"""Rate limits shared through MongoDB (the dev stack's nx-27017): two limiters with their own clients — two
replicas — spend one budget, also when they race for the last places; a store that is down lets hits through."""

from __future__ import annotations

import socket
import uuid
from concurrent.futures import ThreadPoolExecutor

from contracts.rate_limit_storage import WINDOWS, MongoRateLimitStorage, rate_limit_storage
from contracts.web import RateLimiter


def replicas(mongodb_uri: str, limit: int, count: int = 2) -> list[RateLimiter]:
    """``count`` limiters as ``count`` replicas of one service would make them: each its own client."""
    database = f"rl_{uuid.uuid4().hex[:10]}"
    return [RateLimiter(limit, 60, rate_limit_storage(mongodb_uri, database), "signin-address")
            for _ in range(count)]


def test_two_replicas_share_one_budget(mongodb_uri: str) -> None:
    first, second = replicas(mongodb_uri, limit=3)
    assert [first.hit("addr:192.0.2.7"), second.hit("addr:192.0.2.7"), first.hit("addr:192.0.2.7")] == [None] * 3
    wait = second.hit("addr:192.0.2.7")
    assert wait is not None and 1 <= wait <= 60  # refused by the replica that had seen one hit only
    assert first.hit("addr:192.0.2.7") is not None
    assert second.hit("addr:192.0.2.8") is None  # another key, another budget


def test_limiters_of_different_names_do_not_share(mongodb_uri: str) -> None:
    storage = rate_limit_storage(mongodb_uri, f"rl_{uuid.uuid4().hex[:10]}")
    per_address, per_citizen = RateLimiter(1, 60, storage, "address"), RateLimiter(1, 60, storage, "citizen")
    assert per_address.hit("k") is None and per_citizen.hit("k") is None
    assert per_address.hit("k") is not None


def test_replicas_racing_for_the_last_places_grant_exactly_the_budget(mongodb_uri: str) -> None:
    limiters = replicas(mongodb_uri, limit=10, count=3)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda n: limiters[n % 3].hit("pid:1234567890121"), range(30)))
    assert sum(answer is None for answer in answers) == 10


def test_the_window_is_one_document_with_a_ttl_index(mongodb_uri: str) -> None:
    database = f"rl_{uuid.uuid4().hex[:10]}"
    storage = MongoRateLimitStorage(mongodb_uri, database)
    RateLimiter(2, 60, storage, "api-citizen").hit("citizen:x")
    windows = storage.storage[database][WINDOWS]
    assert storage.on_nx_27017  # the dev stand-in: the workaround path is the one under test here
    assert [len(doc["entries"]) for doc in windows.find()] == [1]
    ttl = [index for index in windows.list_indexes() if "expireAt" in index["key"]]
    assert ttl and ttl[0]["expireAfterSeconds"] == 0


def test_a_store_that_is_down_lets_hits_through() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    storage = MongoRateLimitStorage(f"mongodb://127.0.0.1:{port}/", "rl_down", serverSelectionTimeoutMS=100)
    limiter = RateLimiter(1, 60, storage)
    assert [limiter.hit("k"), limiter.hit("k")] == [None, None]
