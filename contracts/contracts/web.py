"""Browser-facing safety every service with pages applies the same way.

- Security headers: a CSP with no inline scripts or styles, no framing, HSTS in production.
- CSRF: a synchronizer token bound to the session cookie (HMAC), checked on every unsafe form post.
- Rate limits: a moving window per key (client address, citizen ID), counted by the ``limits`` library in
  the service's MongoDB, so every replica spends the same budget (``contracts/rate_limit_storage.py``).
- The client address: the socket peer, unless ``TRUSTED_PROXY_HOPS`` says how many proxies of ours
  stand in front of the service; a caller-supplied ``X-Forwarded-For`` is never trusted beyond them.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import os
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

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
    """At most ``limit`` hits per ``window`` seconds for each key, as a moving window (the ``limits``
    library's): a hit is refused while ``limit`` others fall within the last ``window`` seconds.

    The budget lives in ``storage`` (``contracts.rate_limit_storage``): the service's MongoDB, shared by all
    its replicas, or this process's memory when none is given. ``name`` keeps limiters on one store apart.
    Should the store fail, the hit is allowed and logged: sign-in and registration need the same database
    anyway, and a limiter must not turn an outage of its store into refusals of everyone.
    """

    def __init__(self, limit: int, window: float, storage: Storage | None = None, name: str = "rate") -> None:
        self.limit = limit
        self.window = max(1, math.ceil(window))  # the library counts whole seconds
        self.name = name
        self._item = RateLimitItemPerSecond(limit, self.window)
        self._strategy = MovingWindowRateLimiter(storage or MemoryStorage())

    def hit(self, key: str) -> int | None:
        """Counts one hit: None when allowed, else the whole seconds to wait (for Retry-After)."""
        try:
            if self._strategy.hit(self._item, self.name, key):
                return None
            reset_at = self._strategy.get_window_stats(self._item, self.name, key).reset_time
        except PyMongoError:
            log.warning("rate limit store unavailable; hit allowed", exc_info=True)
            return None
        return max(1, math.ceil(reset_at - time.time()))


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
