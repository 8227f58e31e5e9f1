"""The operations endpoints every service exposes, as Prometheus and the orchestrator expect.

``GET /healthz``: the process answers. ``GET /readyz``: every dependency answers, else 503 naming
the ones that failed. ``GET /metrics``: Prometheus text format.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping

from confluent_kafka.admin import AdminClient
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Check = Callable[[], None]
READY_TIMEOUT_S = 3.0

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
)


class _MetricsMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware, which costs a task and a stream per request)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            # The route template, not the raw path: receipt numbers must not become label values.
            template = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            HTTP_LATENCY.labels(self.service, method, template).observe(time.perf_counter() - started)
            HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()


async def _run_check(check: Check) -> str | None:
    try:
        await asyncio.wait_for(asyncio.to_thread(check), READY_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the reason is reported
        return f"{type(exc).__name__}: {exc}"[:300]
    return None


def kafka_probe(bootstrap: str) -> Check:
    """A readiness check on its own short-lived admin client.

    Not the service's consumer: a consumer must not be called from other threads. Not a
    long-lived client either: it would keep reconnecting (and logging) after a shutdown.
    """

    def check() -> None:
        AdminClient({"bootstrap.servers": bootstrap, "log_level": 2}).list_topics(timeout=2.0)

    return check


def install_ops(app: FastAPI, service: str, checks: Callable[[], Mapping[str, Check]]) -> None:
    """Adds the ops endpoints; ``checks`` is called per request so it can read ``app.state``."""
    app.add_middleware(_MetricsMiddleware, service=service)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/readyz", tags=["ops"])
    async def readyz() -> JSONResponse:
        named = dict(checks())
        results: list[str | None] = await asyncio.gather(*(_run_check(c) for c in named.values()))
        failing = {name: reason for name, reason in zip(named, results, strict=True) if reason}
        if failing:
            body = {"status": "unavailable", "service": service, "failing": failing}
            return JSONResponse(body, status_code=503)
        return JSONResponse({"status": "ready", "service": service, "checked": sorted(named)})

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


