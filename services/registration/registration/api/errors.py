"""Error bodies: field-level Thai (then English) messages, and no stack trace ever reaches a client.

422 bodies look like ``{"errors": [{"field": "debtor.citizen_id", "code": "citizen_id.checksum",
"th": "...", "en": "..."}]}`` whether the problem was found by pydantic (shape) or by the domain
validators (content).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response

from registration.domain.thai import FieldError

log = logging.getLogger(__name__)

# pydantic error type -> (our code, Thai, English); {max_length} etc. come from the error's ctx.
_PYDANTIC: dict[str, tuple[str, str, str]] = {
    "missing": ("field.required", "กรุณากรอกข้อมูลนี้", "This field is required."),
    "string_too_long": ("field.too_long", "ข้อความยาวเกินไป (ไม่เกิน {max_length} ตัวอักษร)",
                        "Too long (at most {max_length} characters)."),
    "too_long": ("field.too_many", "จำนวนรายการมากเกินไป (ไม่เกิน {max_length} รายการ)",
                 "Too many items (at most {max_length})."),
    "literal_error": ("field.choice", "กรุณาเลือกจากรายการที่กำหนด", "Please choose one of the listed options."),
    "enum": ("field.choice", "กรุณาเลือกจากรายการที่กำหนด", "Please choose one of the listed options."),
    "extra_forbidden": ("field.unknown", "ระบบไม่รู้จักข้อมูลช่องนี้", "Unknown field."),
    "string_type": ("field.text", "ข้อมูลช่องนี้ต้องเป็นข้อความ", "This field must be text."),
    "bool_type": ("field.boolean", "กรุณาเลือก ใช่ หรือ ไม่ใช่", "Please answer yes or no."),
    "bool_parsing": ("field.boolean", "กรุณาเลือก ใช่ หรือ ไม่ใช่", "Please answer yes or no."),
    "list_type": ("field.list", "ข้อมูลช่องนี้ต้องเป็นรายการ", "This field must be a list."),
    "model_type": ("field.object", "รูปแบบข้อมูลไม่ถูกต้อง", "Wrong data structure."),
    "model_attributes_type": ("field.object", "รูปแบบข้อมูลไม่ถูกต้อง", "Wrong data structure."),
    "dict_type": ("field.object", "รูปแบบข้อมูลไม่ถูกต้อง", "Wrong data structure."),
    "json_invalid": ("body.json", "ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง", "The request body is not valid JSON."),
}
_DEFAULT = ("field.invalid", "ข้อมูลไม่ถูกต้อง", "Invalid value.")
_SEGMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
SERVER_ERROR = FieldError("server.error", "ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้งในภายหลัง",
                          "A temporary server error occurred. Please try again later.")


def _field(loc: Sequence[int | str]) -> str | None:
    # Drop the request part ("body") and pydantic's union tags such as "function-before[...]".
    parts = [str(p) for p in loc[1:] if isinstance(p, int) or _SEGMENT.fullmatch(p)] if loc else []
    if loc and loc[0] in ("header", "query", "path"):
        parts = [str(loc[0]), *parts]
    return ".".join(parts) or None


def from_pydantic(errors: Iterable[Mapping[str, Any]], *, prefix: str = "") -> list[FieldError]:
    """pydantic's errors as field errors; ``loc`` is expected to start with the request part (``body``)."""
    out: list[FieldError] = []
    for err in errors:
        code, th, en = _PYDANTIC.get(str(err.get("type")), _DEFAULT)
        ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, int | str)}
        try:
            th, en = th.format(**ctx), en.format(**ctx)
        except (KeyError, IndexError):
            th, en = _DEFAULT[1], _DEFAULT[2]
        field = _field(tuple(err.get("loc", ())))
        out.append(FieldError(code, th, en, f"{prefix}{field}" if prefix and field else field))
    return out


def error_body(errors: Iterable[FieldError]) -> dict[str, list[dict[str, str | None]]]:
    return {"errors": [{"field": e.field, "code": e.code, "th": e.th, "en": e.en} for e in errors]}


def unprocessable(errors: Iterable[FieldError]) -> JSONResponse:
    return JSONResponse(error_body(errors), status_code=422)


async def _on_request_validation(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return unprocessable(from_pydantic(exc.errors()))


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    # Logged with the traceback for operators; the client learns only that it was our fault.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse(error_body([SERVER_ERROR]), status_code=500)
    page = f"<!doctype html><html lang=th><meta charset=utf-8><h1>{SERVER_ERROR.th}</h1><p>{SERVER_ERROR.en}</p>"
    return HTMLResponse(page, status_code=500)


class Problem(Exception):
    """A request the service refuses on purpose; ``body`` is safe to show."""

    status = 400
    headers: dict[str, str] | None = None

    def body(self) -> dict[str, Any]:
        raise NotImplementedError


class MessageProblem(Problem):
    def __init__(self, code: str, th: str, en: str, **extra: str) -> None:
        super().__init__(code)
        self.detail: dict[str, str] = {"code": code, "th": th, "en": en, **extra}

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail}


class Forbidden(MessageProblem):
    status = 403


class NotFound(MessageProblem):
    status = 404


class Conflict(MessageProblem):
    status = 409


class TooManyRequests(MessageProblem):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("rate.limited", f"มีการส่งคำขอถี่เกินไป กรุณารอประมาณ {retry_after} วินาทีแล้วลองใหม่",
                         f"Too many requests. Please wait about {retry_after} seconds and try again.",
                         retry_after=str(retry_after))
        self.headers = {"Retry-After": str(retry_after)}


class Invalid(Problem):
    status = 422

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__(", ".join(e.code for e in errors))
        self.errors = list(errors)

    def body(self) -> dict[str, Any]:
        return error_body(self.errors)


async def _on_problem(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(Exception, _on_unexpected)
