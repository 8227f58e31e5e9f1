"""What every service's HTTP API shares: the one error shape (``contracts.errors``), a request body limit,
error responses documented in OpenAPI, and explicit operation ids.

``install_api_conventions(app, max_body_bytes=…)`` is the one call a service's ``create_app`` makes, after
its routes are included; ``operation_id`` goes to ``FastAPI(generate_unique_id_function=…)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contracts.claims import require_claims
from contracts.errors import ErrorOut, PageRenderer, error_body, install_error_handlers

DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # a registration with 20 creditors of 20 debts each is far below this

DESCRIPTIONS: dict[int, str] = {
    400: "อ่านข้อมูลที่ส่งมาไม่ได้ / the body could not be read",
    401: "ไม่มีโทเคนหรือโทเคนไม่ถูกต้อง / missing, invalid or expired token",
    403: "ไม่มีสิทธิ์ / not allowed",
    404: "ไม่พบ / not found",
    409: "ขัดแย้งกับข้อมูลที่มีอยู่ / conflicts with what exists",
    413: "ข้อมูลที่ส่งมาใหญ่เกินกำหนด / request body too large",
    422: "ข้อมูลไม่ถูกต้อง (รายช่อง) / invalid input, per field",
    429: "ส่งคำขอถี่เกินไป ดู Retry-After / too many requests, see Retry-After",
    503: "ระบบที่ต้องใช้ไม่พร้อมชั่วคราว ดู Retry-After / a dependency is unavailable, see Retry-After",
}
_REF = {"$ref": "#/components/schemas/ErrorOut"}


def operation_id(route: APIRoute) -> str:
    """``registrations_register``: the route's first tag and its function's name, stable across releases
    (FastAPI's default id also encodes the path and method, so it changes whenever they do)."""
    tag = str(route.tags[0]) if route.tags else ""
    return re.sub(r"[^a-z0-9_]+", "_", f"{tag}_{route.name}".lower()).strip("_")


def error_responses(*statuses: int, models: Mapping[int, type[ErrorOut]] | None = None
                    ) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route's own refusals (403, 409, 429, 503…); ``models`` names a more precise
    model for a status, e.g. ``error_responses(403, models={409: AlreadyRegisteredOut})``."""
    chosen = {**dict.fromkeys(statuses, ErrorOut), **(models or {})}
    return {status: {"model": model, "description": DESCRIPTIONS[status]} for status, model in chosen.items()}


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def statuses_of(route: APIRoute) -> set[int]:
    """The error statuses any route can answer because of what it takes: a token (401), parameters (422),
    a body (400 unreadable, 413 too large, 422), a path parameter (404: nothing there)."""
    found: set[int] = set()
    deps = list(_dependants(route.dependant))
    if any(d.call is require_claims for d in deps):
        found.add(401)
    if any(d.path_params or d.query_params or d.header_params or d.cookie_params or d.body_params for d in deps):
        found.add(422)
    if route.body_field is not None:
        found |= {400, 413}
    if any(d.path_params for d in deps):
        found.add(404)
    return found


def document_errors(app: FastAPI) -> None:
    """Adds the error responses each route can give to ``app``'s OpenAPI, all as ``ErrorOut`` (replacing
    FastAPI's own 422 schema, which describes a body the services never send)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorOut"] = error_schema
        for context in iter_route_contexts(app.routes):  # included routers are not flattened into app.routes
            route, operations = context.original_route, schema["paths"].get(context.path_format or "", {})
            if not isinstance(route, APIRoute):
                continue
            for method in context.methods or ():
                if method.lower() not in operations:
                    continue  # not in the schema (pages)
                responses = operations[method.lower()]["responses"]
                for status in sorted(statuses_of(route)):
                    documented = responses.get(str(status), {})
                    if "HTTPValidationError" in str(documented) or not documented:
                        responses[str(status)] = {"description": DESCRIPTIONS[status],
                                                  "content": {"application/json": {"schema": _REF}}}
        if "HTTPValidationError" not in str(schema["paths"]):
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend its schema


class BodyLimit:
    """Pure ASGI: a request body larger than its limit is refused with 413 in the one error shape, before it
    is read (``Content-Length``) or as soon as the streamed bytes pass the limit (chunked bodies).
    ``larger`` gives exact paths their own limit (staff list uploads). Starlette's own limiter answers in
    plain text when a route does not read its body, hence this one."""

    def __init__(self, app: ASGIApp, *, limit: int, larger: Mapping[str, int] | None = None) -> None:
        self.app, self.limit, self.larger = app, limit, dict(larger or {})

    def _refusal(self, limit: int) -> dict[str, str]:
        return {"code": "body.too_large", "th": f"ข้อมูลที่ส่งมามีขนาดใหญ่เกินกำหนด (ไม่เกิน {limit:,} ไบต์)",
                "en": f"The request body is too large (at most {limit:,} bytes)."}

    def _too_large(self, limit: int) -> JSONResponse:
        refusal = self._refusal(limit)
        body = error_body(refusal["code"], refusal["th"], refusal["en"])
        return JSONResponse(body, status_code=413, headers={"Connection": "close"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.limit)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._too_large(limit)(scope, receive, send)
            return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException passes through FastAPI's body reading to the app's error handlers.
                    raise HTTPException(413, detail=self._refusal(limit), headers={"Connection": "close"})
            return message

        await self.app(scope, counting, send)


def install_api_conventions(app: FastAPI, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                            larger_bodies: Mapping[str, int] | None = None, page: PageRenderer | None = None,
                            labels: Mapping[str, str] | None = None) -> None:
    install_error_handlers(app, page=page, labels=labels)
    app.add_middleware(BodyLimit, limit=max_body_bytes, larger=larger_bodies)
    document_errors(app)
