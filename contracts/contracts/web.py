"""Browser-facing safety every service with pages applies the same way.

- Security headers: a CSP with no inline scripts or styles, no framing, HSTS in production.
- CSRF: a synchronizer token bound to the session cookie (HMAC), checked on every unsafe form post.
- Rate limits: a sliding window per key (client address, citizen ID). It is per process; behind
  several instances the per-instance limit is divided accordingly (documented in docs/security.md).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def csp_with_form_target(origin: str) -> str:
    """The CSP for a page whose form post redirects to ``origin`` (an OIDC sign-in page sending the
    browser back to a verified redirect URI): browsers apply form-action to that redirect too."""
    return CSP.replace("form-action 'self'", f"form-action 'self' {origin}")


class SecurityHeaders(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        super().__init__(app)
        self.hsts = hsts

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        headers = response.headers
        if not request.url.path.startswith("/docs"):  # Swagger UI needs its own inline script
            headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if self.hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


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

    def retry_after(self, key: str, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            return max(1, int(hits[0] + self.window - now) + 1) if hits else 1


def client_address(request: Request) -> str:
    """The client's address; behind the ingress, the first X-Forwarded-For hop it appended."""
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"
