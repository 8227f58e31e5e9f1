"""How identity answers when a request cannot be served: always Thai first, then English; JSON for the
API, the dev issuer's token endpoints and ``/dev/``, an HTML page everywhere else. No FastAPI English
422 dump and no stack trace ever reaches a client.

- invalid input (``RequestValidationError``) → 422 with one Thai + English message per field;
- the account directory (Keycloak) failing or unreachable (``DirectoryError``) → 503 with Retry-After;
- anything unexpected → 500 with a Thai apology (the traceback goes to the log only).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from keycloak.exceptions import KeycloakError
from starlette.responses import Response

from identity.domain.staff import DirectoryError
from identity.web.pages import render
from identity.web.session import CsrfRejected, SignInRequired, csrf_rejected, sign_in_redirect

log = logging.getLogger(__name__)

INVALID = {"th": "ข้อมูลที่ส่งมาไม่ถูกต้อง กรุณาตรวจสอบแล้วลองใหม่", "en": "The request is not valid; check it and try again"}
DIRECTORY_DOWN = {"th": "ระบบบัญชีผู้ใช้ (Keycloak) ไม่พร้อมใช้งานชั่วคราว กรุณาลองใหม่ภายหลัง",
                  "en": "The account directory (Keycloak) is unavailable; please try again later"}
SERVER_ERROR = {"th": "ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้งในภายหลัง",
                "en": "A temporary server error occurred; please try again later"}

# pydantic error type → (Thai, English); {le}, {max_length} … come from the error's context.
_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("ไม่ได้ส่งข้อมูลนี้มา", "This field is required"),
    "int_parsing": ("ต้องเป็นจำนวนเต็ม", "Must be a whole number"),
    "int_type": ("ต้องเป็นจำนวนเต็ม", "Must be a whole number"),
    "int_from_float": ("ต้องเป็นจำนวนเต็ม", "Must be a whole number"),
    "greater_than_equal": ("ต้องไม่น้อยกว่า {ge}", "Must be at least {ge}"),
    "greater_than": ("ต้องมากกว่า {gt}", "Must be greater than {gt}"),
    "less_than_equal": ("ต้องไม่เกิน {le}", "Must be at most {le}"),
    "less_than": ("ต้องน้อยกว่า {lt}", "Must be less than {lt}"),
    "string_too_long": ("ยาวเกินไป (ไม่เกิน {max_length} ตัวอักษร)", "Too long (at most {max_length} characters)"),
    "string_too_short": ("สั้นเกินไป (อย่างน้อย {min_length} ตัวอักษร)", "Too short (at least {min_length} characters)"),
    "string_pattern_mismatch": ("รูปแบบไม่ถูกต้อง", "Does not have the expected form"),
    "string_type": ("ต้องเป็นข้อความ", "Must be text"),
    "literal_error": ("ต้องเลือกจากค่าที่กำหนด", "Must be one of the allowed values"),
    "enum": ("ต้องเลือกจากค่าที่กำหนด", "Must be one of the allowed values"),
    "json_invalid": ("ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง", "The body is not valid JSON"),
    "model_attributes_type": ("รูปแบบข้อมูลไม่ถูกต้อง", "Wrong data structure"),
    "dict_type": ("รูปแบบข้อมูลไม่ถูกต้อง", "Wrong data structure"),
    "value_error": ("ค่าไม่ถูกต้อง", "Invalid value"),
}
_DEFAULT = ("ค่าไม่ถูกต้อง", "Invalid value")
_LABELS = {
    "page": "หน้า", "page_size": "จำนวนรายการต่อหน้า", "file": "ไฟล์", "csrf": "รหัสยืนยันแบบฟอร์ม",
    "persona": "บุคคลทดสอบ", "persona_kind": "ประเภทบุคคลทดสอบ", "actor": "ผู้กระทำ", "case_id": "เลขเรื่อง",
    "action": "การกระทำ", "since": "ตั้งแต่", "until": "ถึง", "citizen_id": "เลขประจำตัวประชาชน", "as": "ประเภทผู้ใช้",
}


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """pydantic's errors as ``{"field", "th", "en"}``, one per problem, Thai first."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        name = loc[-1] if loc else ""
        field = ".".join(loc[1:] if loc[:1] == ["body"] else loc) or "request"
        th, en = _MESSAGES.get(str(err.get("type")), _DEFAULT)
        context = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, int | float | str)}
        try:
            th, en = th.format(**context), en.format(**context)
        except (KeyError, IndexError, ValueError):
            th, en = _DEFAULT
        label = _LABELS.get(name, name)
        out.append({"field": field, "th": f"{label}: {th}" if label else th, "en": f"{name or field}: {en}"})
    return out


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/dev/")):
        return True
    return path.startswith("/realms/") and not path.endswith("/protocol/openid-connect/auth")


def _answer(request: Request, status: int, message: Mapping[str, str], headers: dict[str, str] | None = None,
            **extra: Any) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": dict(message), **extra}, status_code=status, headers=headers)
    response = render(request, "error.html", status_code=status, th=message["th"], en=message["en"], **extra)
    response.headers.update(headers or {})
    return response


async def invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return _answer(request, 422, INVALID, errors=field_errors(exc.errors()))


async def directory_down(request: Request, exc: Exception) -> Response:
    log.warning("account directory failed on %s %s: %s", request.method, request.url.path, exc)
    return _answer(request, 503, DIRECTORY_DOWN, headers={"Retry-After": "30"})


async def unexpected(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _answer(request, 500, SERVER_ERROR)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail
    if wants_json(request) or request.url.path.startswith("/realms/") or not isinstance(detail, dict):
        return await http_exception_handler(request, exc)
    response = render(request, "error.html", status_code=exc.status_code, th=detail.get("th", ""),
                      en=detail.get("en", ""))
    response.headers.update(exc.headers or {})
    return response


def install_error_handlers(app: FastAPI) -> None:
    handlers: dict[type[Exception], Callable[..., Any]] = {
        SignInRequired: sign_in_redirect, CsrfRejected: csrf_rejected, HTTPException: http_error,
        RequestValidationError: invalid_request, DirectoryError: directory_down, KeycloakError: directory_down,
        Exception: unexpected,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
