"""The operations endpoints every service exposes, as Prometheus and the orchestrator expect.

``GET /healthz``: the process answers. ``GET /readyz``: every dependency answers, else 503 naming
the ones that failed. ``GET /metrics``: Prometheus text format.
"""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Callable, Mapping
from importlib.resources import files
from pathlib import Path

from confluent_kafka.admin import AdminClient
from fastapi import FastAPI, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contracts.correlation import CorrelationMiddleware

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


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui.css"><link rel="stylesheet" href="/docs-ui/docs.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script><script src="/docs-ui/init.js"></script></body></html>
"""


def _self_hosted_docs(app: FastAPI) -> None:
    """API docs from the fastapi-offline package's Swagger UI files instead of FastAPI's default CDN: government
    networks are often closed, and a page should not load code from a third party."""
    replaced = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", None) not in replaced]
    assets = str(files("fastapi_offline") / "static")  # Swagger UI 5 (OpenAPI 3.1) as package data
    app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")
    app.mount("/docs-fonts", StaticFiles(directory=str(files("fontpkg_sarabun") / "files")), name="docs-fonts")
    app.mount("/docs-ui", StaticFiles(directory=Path(__file__).with_name("docs_ui")), name="docs-ui")
    page = DOCS_PAGE.format(title=html.escape(app.title))

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page)


def install_ops(app: FastAPI, service: str, checks: Callable[[], Mapping[str, Check]]) -> None:
    """Adds the ops endpoints and self-hosted API docs; ``checks`` is called per request so it can
    read ``app.state``."""
    app.add_middleware(_MetricsMiddleware, service=service)
    app.add_middleware(CorrelationMiddleware)  # added last: outermost, so the id is bound for everything inside
    _self_hosted_docs(app)

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
        # In a thread: some collectors ask MongoDB or Kafka at scrape time (contracts.lag, outbox_metrics).
        return Response(await asyncio.to_thread(generate_latest), media_type=CONTENT_TYPE_LATEST)


