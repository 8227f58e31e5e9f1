"""The correlation id of an HTTP request: taken from ``X-Correlation-ID`` when the caller sent a sane token
(a gateway or another service continuing its own thread), otherwise a new uuid4; bound for the request so
its logs and the outbox documents it writes carry it; returned in the response's ``X-Correlation-ID``.

It also writes the one access-log line per request, with the route *template* (never the raw path or the
query: receipt numbers, sign-in codes and states must not reach logs) and no client address.
"""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contracts.logs import HTTP_HEADER, bound_correlation, sane_correlation_id

log = logging.getLogger("contracts.access")
_HEADER = HTTP_HEADER.lower().encode()
_QUIET_PREFIXES = ("/metrics", "/healthz", "/readyz")  # scraped every few seconds: debug level only


def correlation_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == _HEADER:
            return sane_correlation_id(value) or str(uuid.uuid4())
    return str(uuid.uuid4())


class CorrelationMiddleware:
    """Pure ASGI, outermost, so every other middleware and route runs with the id bound."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = correlation_id_of(scope)
        header = (_HEADER, correlation_id.encode())
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != _HEADER]
                message["headers"] = [*headers, header]
            await send(message)

        with bound_correlation(correlation_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                path: str = scope["path"]
                level = logging.DEBUG if path.startswith(_QUIET_PREFIXES) else logging.INFO
                if log.isEnabledFor(level):
                    log.log(level, "request", extra={
                        "method": scope["method"],
                        "route": getattr(scope.get("route"), "path", "unmatched"),
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    })
