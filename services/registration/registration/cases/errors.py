"""Registration's refusals in the one error shape of ``contracts.errors``: field-level Thai (then English)
messages, and no stack trace ever reaches a client.

422 bodies look like ``{"detail": {"code": "request.invalid", …, "field": "debtor.citizen_id"}, "errors":
[{"field": "debtor.citizen_id", "code": "citizen_id.checksum", "th": "...", "en": "..."}]}`` whether the
problem was found by pydantic (shape) or by the domain validators (content).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi.requests import Request
from fastapi.responses import HTMLResponse, Response

from contracts import errors as shared
from contracts.errors import ApiError
from registration.kernel.thai import FieldError

SERVER_ERROR = FieldError(*shared.SERVER_ERROR)


def from_pydantic(errors: Iterable[Mapping[str, Any]], *, prefix: str = "") -> list[FieldError]:
    """pydantic's errors as field errors; ``loc`` is expected to start with the request part (``body``)."""
    return [FieldError(p.code, p.th, p.en, f"{prefix}{p.field}" if prefix and p.field else p.field)
            for p in shared.from_pydantic(errors)]


def error_page(request: Request, status: int, body: dict[str, Any]) -> Response | None:
    """A browser on a page gets a Thai page for a fault; everything else, and every API call, gets JSON
    (the pages answer their own refusals, see ``registration.web``)."""
    if status < 500 or request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return None
    page = f"<!doctype html><html lang=th><meta charset=utf-8><h1>{SERVER_ERROR.th}</h1><p>{SERVER_ERROR.en}</p>"
    return HTMLResponse(page, status_code=status)


class MessageProblem(ApiError):
    """A request the service refuses on purpose, with one message; ``detail`` is safe to show."""

    def __init__(self, code: str, th: str, en: str, **extra: str) -> None:
        super().__init__(code, th, en, extra=extra)


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


class Invalid(ApiError):
    status = 422

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__(*shared.INVALID, field=errors[0].field if errors else None, errors=errors)
        self.errors: list[FieldError] = list(errors)
