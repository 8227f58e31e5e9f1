from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from contracts.web import RateLimiter, SecurityHeaders, csrf_token, csrf_valid


def test_csrf_token_is_bound_to_its_session() -> None:
    secret = b"k" * 32
    token = csrf_token(secret, "session-a")
    assert csrf_valid(secret, "session-a", token)
    assert not csrf_valid(secret, "session-b", token)
    assert not csrf_valid(secret, "session-a", None)
    assert not csrf_valid(secret, None, token)
    assert not csrf_valid(b"other" * 8, "session-a", token)


def test_rate_limiter_window_slides() -> None:
    limiter = RateLimiter(limit=3, window=10)
    assert [limiter.allow("ip", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.retry_after("ip", now=3) == 8
    assert limiter.allow("other", now=3)
    assert limiter.allow("ip", now=10.5)


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
