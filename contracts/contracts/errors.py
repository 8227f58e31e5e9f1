"""One error shape for every 4xx and 5xx of every service's JSON API, and the handlers that produce it.

```json
{"detail": {"code": "case.already_registered", "th": "…", "en": "…", "field": null},
 "errors": [{"field": "debtor.citizen_id", "code": "citizen_id.checksum", "th": "…", "en": "…"}]}
```

``detail`` says what happened (a stable ``code``, Thai first, then English, and the field when there is
one); ``errors`` lists every field problem (422) and is empty otherwise. A refusal may add facts to
``detail`` (a 409 names the existing case). Nothing a client sent is echoed at length: messages, field
names and the list are clipped. Every API route documents these responses in its service's OpenAPI
(``document_errors``) under explicit operation ids (``operation_id``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.responses import Response

log = logging.getLogger(__name__)

MAX_TEXT, MAX_FIELD, MAX_ERRORS = 300, 120, 100


class FieldProblem(BaseModel):
    field: str | None = Field(description="ช่องที่มีปัญหา เช่น debtor.citizen_id / the field, dotted")
    code: str = Field(description="รหัสคงที่สำหรับโปรแกรม / stable machine code")
    th: str
    en: str


class ErrorDetail(BaseModel):
    code: str = Field(description="รหัสคงที่สำหรับโปรแกรม / stable machine code")
    th: str = Field(description="ข้อความภาษาไทย")
    en: str = Field(description="English message")
    field: str | None = Field(None, description="ช่องที่เกี่ยวข้อง (ถ้ามี) / the field concerned, if any")


class ErrorOut(BaseModel):
    """ข้อผิดพลาด / error: the same shape for every 4xx and 5xx of every service."""

    detail: ErrorDetail
    errors: list[FieldProblem] = Field(default_factory=list, description="ปัญหารายช่อง (422) / field problems")


class Problem(Protocol):
    """Anything with a code, Thai and English messages and a field (e.g. a domain's FieldError)."""

    @property
    def code(self) -> str: ...
    @property
    def th(self) -> str: ...
    @property
    def en(self) -> str: ...
    @property
    def field(self) -> str | None: ...


def _clip(text: str | None, limit: int) -> str | None:
    return text if text is None or len(text) <= limit else text[: limit - 1] + "…"


def error_body(code: str, th: str, en: str, *, field: str | None = None, errors: Iterable[Problem] = (),
               **extra: Any) -> dict[str, Any]:
    """The one error body (see the module doc); long texts and long lists are clipped."""
    items = [{"field": _clip(e.field, MAX_FIELD), "code": e.code, "th": _clip(e.th, MAX_TEXT),
              "en": _clip(e.en, MAX_TEXT)} for _, e in zip(range(MAX_ERRORS), errors, strict=False)]
    detail = {"code": code, "th": _clip(th, MAX_TEXT), "en": _clip(en, MAX_TEXT), "field": _clip(field, MAX_FIELD),
              **extra}
    return {"detail": detail, "errors": items}


class ApiError(Exception):
    """A request a service refuses on purpose; everything in it is safe to show."""

    status = 400

    def __init__(self, code: str, th: str, en: str, *, field: str | None = None, errors: Sequence[Problem] = (),
                 headers: Mapping[str, str] | None = None, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(code)
        self.code, self.th, self.en, self.field = code, th, en, field
        self.errors: Sequence[Problem] = list(errors)
        self.headers, self.extra = dict(headers or {}), dict(extra or {})

    @property
    def detail(self) -> dict[str, Any]:
        return {"code": self.code, "th": self.th, "en": self.en, "field": self.field, **self.extra}

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.th, self.en, field=self.field, errors=self.errors, **self.extra)


INVALID = ("request.invalid", "ข้อมูลที่ส่งมาไม่ถูกต้อง กรุณาตรวจสอบแล้วลองใหม่",
           "The request is not valid; check it and try again.")
SERVER_ERROR = ("server.error", "ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้งในภายหลัง",
                "A temporary server error occurred. Please try again later.")
# What each status means when the code that refused said no more (e.g. Starlette's own 404 and 405).
BY_STATUS: dict[int, tuple[str, str, str]] = {
    400: ("request.unreadable", "อ่านข้อมูลที่ส่งมาไม่ได้ กรุณาตรวจสอบรูปแบบแล้วลองใหม่", "The request body could not be read."),
    401: ("auth.required", "กรุณาเข้าสู่ระบบ", "Sign-in required."),
    403: ("access.forbidden", "ท่านไม่มีสิทธิ์ดำเนินการนี้", "You are not allowed to do this."),
    404: ("not_found", "ไม่พบสิ่งที่ร้องขอ", "Not found."),
    405: ("method.not_allowed", "ไม่รองรับวิธีการเรียกนี้", "Method not allowed."),
    406: ("media.not_acceptable", "ไม่มีรูปแบบข้อมูลที่ร้องขอ", "No acceptable representation."),
    409: ("conflict", "ข้อมูลขัดแย้งกับสถานะปัจจุบัน", "Conflicts with the current state."),
    413: ("body.too_large", "ข้อมูลที่ส่งมามีขนาดใหญ่เกินกำหนด", "The request body is too large."),
    415: ("media.unsupported", "ไม่รองรับรูปแบบข้อมูลนี้", "Unsupported media type."),
    422: INVALID,
    429: ("rate.limited", "มีการส่งคำขอถี่เกินไป กรุณารอสักครู่แล้วลองใหม่",
          "Too many requests; please wait and try again."),
    503: ("service.unavailable", "ระบบไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่ภายหลัง",
          "Temporarily unavailable; try again later."),
}


def message_for(status: int) -> tuple[str, str, str]:
    return BY_STATUS.get(status, SERVER_ERROR if status >= 500 else BY_STATUS[400])


# pydantic error type -> (our code, Thai, English); {max_length} etc. come from the error's ctx.
_PYDANTIC: dict[str, tuple[str, str, str]] = {
    "missing": ("field.required", "กรุณากรอกข้อมูลนี้", "This field is required."),
    "string_too_long": ("field.too_long", "ข้อความยาวเกินไป (ไม่เกิน {max_length} ตัวอักษร)",
                        "Too long (at most {max_length} characters)."),
    "string_too_short": ("field.too_short", "ข้อความสั้นเกินไป (อย่างน้อย {min_length} ตัวอักษร)",
                         "Too short (at least {min_length} characters)."),
    "string_pattern_mismatch": ("field.format", "รูปแบบไม่ถูกต้อง", "Does not have the expected form."),
    "too_long": ("field.too_many", "จำนวนรายการมากเกินไป (ไม่เกิน {max_length} รายการ)",
                 "Too many items (at most {max_length})."),
    "literal_error": ("field.choice", "กรุณาเลือกจากรายการที่กำหนด", "Please choose one of the listed options."),
    "enum": ("field.choice", "กรุณาเลือกจากรายการที่กำหนด", "Please choose one of the listed options."),
    "extra_forbidden": ("field.unknown", "ระบบไม่รู้จักข้อมูลช่องนี้", "Unknown field."),
    "string_type": ("field.text", "ข้อมูลช่องนี้ต้องเป็นข้อความ", "This field must be text."),
    "bool_type": ("field.boolean", "กรุณาเลือก ใช่ หรือ ไม่ใช่", "Please answer yes or no."),
    "bool_parsing": ("field.boolean", "กรุณาเลือก ใช่ หรือ ไม่ใช่", "Please answer yes or no."),
    "int_parsing": ("field.integer", "ต้องเป็นจำนวนเต็ม", "Must be a whole number."),
    "int_type": ("field.integer", "ต้องเป็นจำนวนเต็ม", "Must be a whole number."),
    "int_from_float": ("field.integer", "ต้องเป็นจำนวนเต็ม", "Must be a whole number."),
    "greater_than_equal": ("field.too_small", "ต้องไม่น้อยกว่า {ge}", "Must be at least {ge}."),
    "greater_than": ("field.too_small", "ต้องมากกว่า {gt}", "Must be greater than {gt}."),
    "less_than_equal": ("field.too_large", "ต้องไม่เกิน {le}", "Must be at most {le}."),
    "less_than": ("field.too_large", "ต้องน้อยกว่า {lt}", "Must be less than {lt}."),
    "list_type": ("field.list", "ข้อมูลช่องนี้ต้องเป็นรายการ", "This field must be a list."),
    "model_type": ("field.object", "รูปแบบข้อมูลไม่ถูกต้อง", "Wrong data structure."),
    "model_attributes_type": ("field.object", "รูปแบบข้อมูลไม่ถูกต้อง", "Wrong data structure."),
    "dict_type": ("field.object", "รูปแบบข้อมูลไม่ถูกต้อง", "Wrong data structure."),
    "json_invalid": ("body.json", "ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง (อาจไม่ครบหรือขาดหาย)",
                     "The request body is not valid JSON (it may be cut short)."),
}
_DEFAULT = ("field.invalid", "ข้อมูลไม่ถูกต้อง", "Invalid value.")
_SEGMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class _Found(BaseModel):
    field: str | None
    code: str
    th: str
    en: str


def field_name(loc: Sequence[int | str], error_type: str = "") -> str | None:
    """``("body", "debtor", "phone")`` → ``debtor.phone``; query, header and path parameters keep their part
    (``query.page``). pydantic's union tags (``function-before[...]``) are dropped. A JSON syntax error's loc
    is a character offset, not a field: it is reported as the body itself."""
    if not loc:
        return None
    if error_type == "json_invalid":
        return "body"
    parts = [str(p) for p in loc[1:] if isinstance(p, int) or _SEGMENT.fullmatch(p)]
    if loc[0] in ("header", "query", "path", "cookie"):
        parts = [str(loc[0]), *parts]
    return _clip(".".join(parts), MAX_FIELD) or None


def from_pydantic(errors: Iterable[Mapping[str, Any]], *,
                  labels: Mapping[str, str] | None = None) -> list[FieldProblem]:
    """pydantic's errors as field problems; ``loc`` starts with the request part (``body``, ``query``…).
    With ``labels`` (field name → Thai label) each message starts with the field's name, for pages that
    show the messages without the form beside them."""
    out: list[FieldProblem] = []
    for err in errors:
        kind = str(err.get("type"))
        code, th, en = _PYDANTIC.get(kind, _DEFAULT)
        ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, int | float | str)}
        try:
            th, en = th.format(**ctx), en.format(**ctx)
        except (KeyError, IndexError, ValueError):
            th, en = _DEFAULT[1], _DEFAULT[2]
        loc = tuple(err.get("loc", ()))
        field = field_name(loc, kind)
        if labels is not None and loc and kind != "json_invalid":
            name = str(loc[-1])[:MAX_FIELD]
            th, en = f"{labels.get(name, name)}: {th}", f"{name}: {en}"
        out.append(FieldProblem(field=field, code=code, th=th, en=en))
    return out


def invalid_body(problems: Sequence[Problem]) -> dict[str, Any]:
    """A 422 body: the generic message, the first problem's field, and every problem."""
    return error_body(*INVALID, field=problems[0].field if problems else None, errors=problems)


PageRenderer = Callable[[Request, int, dict[str, Any]], Response | None]
"""A service's HTML error page for a request that is not an API call, or None to answer in JSON."""


def _answer(request: Request, status: int, body: dict[str, Any], page: PageRenderer | None,
            headers: Mapping[str, str] | None = None) -> Response:
    response = page(request, status, body) if page is not None else None
    if response is None:
        response = JSONResponse(body, status_code=status)
    response.headers.update(headers or {})
    return response


def install_error_handlers(app: FastAPI, *, page: PageRenderer | None = None,
                           labels: Mapping[str, str] | None = None) -> None:
    """Every refusal and every fault of ``app`` in the one shape; ``page`` may render HTML for pages."""

    async def on_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return _answer(request, 422, invalid_body(from_pydantic(exc.errors(), labels=labels)), page)

    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return _answer(request, exc.status, exc.body(), page, exc.headers)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code < 400 or exc.status_code in (204, 304):
            return Response(status_code=exc.status_code, headers=exc.headers)
        code, th, en = message_for(exc.status_code)
        detail, extra = exc.detail, {}
        if isinstance(detail, Mapping):  # a service's own {"code"?, "th", "en", …}; other keys are kept
            code, th, en = str(detail.get("code", code)), str(detail.get("th", th)), str(detail.get("en", en))
            extra = {k: v for k, v in detail.items() if k not in ("code", "th", "en", "field", "errors")}
            body = error_body(code, th, en, field=detail.get("field"), **extra)
        else:  # Starlette's and FastAPI's own English strings ("Not Found", "There was an error parsing the body")
            body = error_body(code, th, en)
        return _answer(request, exc.status_code, body, page, exc.headers)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # Logged with the traceback for operators; the client learns only that it was our fault.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return _answer(request, 500, error_body(*SERVER_ERROR), page)

    handlers: dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
        RequestValidationError: on_invalid, ApiError: on_api_error, HTTPException: on_http, Exception: on_unexpected,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
