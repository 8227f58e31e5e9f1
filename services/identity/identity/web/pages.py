"""HTML rendering and browser cookies shared by identity's pages.

Cookies are always Secure, HttpOnly and SameSite=Lax: Lax (not Strict) because the sign-in
callback arrives as a top-level redirect from Keycloak and must carry the state cookie; unsafe
requests are protected by CSRF tokens, not by SameSite alone. Browsers treat 127.0.0.1 and
localhost as secure origins, so Secure cookies work on the dev stack too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from identity.domain.thai_dates import thai_date, thai_datetime

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
TEMPLATES.env.filters["thai_datetime"] = thai_datetime
TEMPLATES.env.filters["thai_date"] = thai_date
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def set_cookie(response: Response, name: str, value: str, max_age: int, path: str = "/") -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, secure=True, httponly=True, samesite="lax")


def clear_cookie(response: Response, name: str, path: str = "/") -> None:
    response.delete_cookie(name, path=path, secure=True, httponly=True, samesite="lax")
