from __future__ import annotations

import limits.storage.memory
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

import contracts.web
from contracts.web import (
    RateLimiter,
    SecurityHeaders,
    client_address,
    csrf_token,
    csrf_valid,
    trusted_proxy_hops,
)


def test_csrf_token_is_bound_to_its_session() -> None:
    secret = b"k" * 32
    token = csrf_token(secret, "session-a")
    assert csrf_valid(secret, "session-a", token)
    assert not csrf_valid(secret, "session-b", token)
    assert not csrf_valid(secret, "session-a", None)
    assert not csrf_valid(secret, None, token)
    assert not csrf_valid(b"other" * 8, "session-a", token)


class FakeClock:
    """Wall time the limiter and the ``limits`` memory store read, moved by the test."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def test_rate_limiter_window_slides(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock(1_000_000.0)
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    monkeypatch.setattr(contracts.web, "time", clock)
    limiter = RateLimiter(limit=3, window=10)
    answers = []
    for offset in (0, 1, 2, 3):
        clock.now = 1_000_000.0 + offset
        answers.append(limiter.hit("ip"))
    assert answers == [None, None, None, 7]  # refused: the first hit leaves the window 7 s from now
    assert limiter.hit("third") is None and limiter.hit("other") is None  # each key its own budget
    clock.now = 1_000_010.5  # the hits at 0 and 1 have left the window
    assert limiter.hit("ip") is None


def test_rate_limiter_window_is_whole_seconds() -> None:
    assert RateLimiter(limit=1, window=0.2).window == 1
    assert RateLimiter(limit=1, window=300.0).window == 300


def test_security_headers() -> None:
    app = FastAPI()
    app.add_middleware(SecurityHeaders, hsts=True)

    @app.get("/page")
    def page() -> dict[str, str]:
        return {}

    headers = TestClient(app).get("/page").headers
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["strict-transport-security"].startswith("max-age=")


def _address_app() -> TestClient:
    app = FastAPI()

    @app.get("/who")
    def who(request: Request) -> dict[str, str]:
        return {"address": client_address(request)}

    # TestClient's socket peer is "testclient".
    return TestClient(app)


def test_a_spoofed_forwarded_for_is_ignored_without_trusted_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUSTED_PROXY_HOPS", raising=False)
    client = _address_app()
    assert client.get("/who").json() == {"address": "testclient"}
    spoofed = client.get("/who", headers={"X-Forwarded-For": "203.0.113.7"})
    assert spoofed.json() == {"address": "testclient"}
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "0")
    assert client.get("/who", headers={"X-Forwarded-For": "203.0.113.7"}).json() == {"address": "testclient"}


def test_one_trusted_proxy_gives_the_address_it_appended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    client = _address_app()
    # The caller wrote 203.0.113.7 itself; our proxy appended the address it saw, 198.51.100.20.
    answer = client.get("/who", headers={"X-Forwarded-For": "203.0.113.7, 198.51.100.20"})
    assert answer.json() == {"address": "198.51.100.20"}
    assert client.get("/who", headers={"X-Forwarded-For": "198.51.100.20"}).json() == {"address": "198.51.100.20"}
    # Without the header the request did not come through the proxy: the peer.
    assert client.get("/who").json() == {"address": "testclient"}


def test_two_trusted_proxies_and_repeated_header_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "2")
    client = _address_app()
    headers = [("X-Forwarded-For", "203.0.113.7, 198.51.100.20"), ("X-Forwarded-For", "10.0.0.2")]
    assert client.get("/who", headers=headers).json() == {"address": "198.51.100.20"}
    too_short = client.get("/who", headers={"X-Forwarded-For": "198.51.100.20"})
    assert too_short.json() == {"address": "testclient"}


@pytest.mark.parametrize("raw", ["-1", "one", "1.5", "๑"])
def test_a_bad_hop_count_is_refused(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", raw)
    with pytest.raises(ValueError, match="TRUSTED_PROXY_HOPS"):
        trusted_proxy_hops()
