"""Browser-facing safety every service with pages applies the same way.

- Security headers: a CSP with no inline scripts or styles, no framing, HSTS in production.
- CSRF: a synchronizer token bound to the session cookie (HMAC), checked on every unsafe form post.
- Rate limits: a sliding window per key (client address, citizen ID). It is per process; behind
  several instances the per-instance limit is divided accordingly (documented in docs/security.md).
- The client address: the socket peer, unless ``TRUSTED_PROXY_HOPS`` says how many proxies of ours
  stand in front of the service; a caller-supplied ``X-Forwarded-For`` is never trusted beyond them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections import deque

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


# For an identity provider's sign-in form (the dev ThaiD simulator), whose answer redirects through the
# broker to clients it cannot list.
CSP_WITHOUT_FORM_ACTION = CSP.replace("form-action 'self'; ", "")


class SecurityHeaders:
    """Pure ASGI middleware; a header a route set itself (e.g. a page's own CSP) is kept."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.defaults: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if hsts:
            self.defaults.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Swagger UI at /docs needs its own inline script; everything else gets the strict CSP.
        defaults = self.defaults if scope["path"].startswith("/docs") else [
            (b"content-security-policy", CSP.encode()), *self.defaults]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in defaults if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(secret: bytes, session_value: str) -> str:
    """The token a form carries; valid only with the session cookie it was made for."""
    return hmac.new(secret, b"csrf:" + session_value.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, session_value: str | None, submitted: str | None) -> bool:
    if not session_value or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret, session_value), submitted)


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds for each key."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 100_000:  # bound memory under a flood of distinct keys
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
            return True

    def hit(self, key: str, now: float | None = None) -> int | None:
        """Counts one hit: None when allowed, else the seconds to wait (for Retry-After)."""
        return None if self.allow(key, now) else self.retry_after(key, now)

    def retry_after(self, key: str, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            return max(1, int(hits[0] + self.window - now) + 1) if hits else 1


TRUSTED_PROXY_HOPS_ENV = "TRUSTED_PROXY_HOPS"


def trusted_proxy_hops() -> int:
    """How many proxies of ours append to ``X-Forwarded-For`` before a request reaches the service
    (env ``TRUSTED_PROXY_HOPS``, default 0: the service is reached directly). Raises ValueError on a
    value that is not a whole number >= 0, so a service can refuse to start with it."""
    raw = os.environ.get(TRUSTED_PROXY_HOPS_ENV, "").strip()
    if not raw:
        return 0
    if not raw.isdigit() or not raw.isascii():
        raise ValueError(f"{TRUSTED_PROXY_HOPS_ENV} must be a whole number >= 0, not {raw!r}")
    return int(raw)


def client_address(request: Request, trusted_hops: int | None = None) -> str:
    """The client's address as far as we can vouch for it.

    With no trusted proxy (``trusted_hops`` 0, the default from ``TRUSTED_PROXY_HOPS``) it is the socket
    peer: an ``X-Forwarded-For`` the caller wrote is ignored. Behind N proxies of ours, each appends the
    address it saw to the right of ``X-Forwarded-For``, so the client is the N-th entry from the right;
    anything further left was written by the caller and is not trusted. A header with fewer entries than
    that did not pass through all our proxies: the peer is used.
    """
    hops = trusted_proxy_hops() if trusted_hops is None else trusted_hops
    peer = request.client.host if request.client else "unknown"
    if hops <= 0:
        return peer
    # Several X-Forwarded-For lines are one list, in order (RFC 9110, field lines combine with commas).
    chain = [hop.strip() for line in request.headers.getlist("x-forwarded-for") for hop in line.split(",")]
    chain = [hop for hop in chain if hop]
    if len(chain) < hops:
        return peer
    return chain[-hops][:64]
