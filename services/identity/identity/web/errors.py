"""How identity answers when a request cannot be served: the one error shape of ``contracts.errors``
(Thai first, then English) for the API and the ThaiD simulator's machine endpoints (ENV=dev); an HTML page
with the same messages everywhere else (the simulator's person page included). No FastAPI English 422 dump
and no stack trace ever reaches a client.

Identity adds to the shared handlers: the account directory (Keycloak) failing or unreachable
(``DirectoryError``) → 503 with Retry-After; a page without a session → sign-in; a form without its CSRF
token → 403 page. Field messages start with the field's Thai label (``LABELS``). Staff list uploads may be
larger than other request bodies (``UPLOADS``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from keycloak.exceptions import KeycloakError
from starlette.responses import JSONResponse, Response

from contracts.api import install_api_conventions
from contracts.errors import error_body
from identity.domain.staff import DirectoryError
from identity.domain.staff_files import MAX_BYTES
from identity.settings import Settings
from identity.web.pages import render
from identity.web.session import CsrfRejected, SignInRequired, csrf_rejected, sign_in_redirect

log = logging.getLogger(__name__)

DIRECTORY_DOWN = ("directory.unavailable", "ระบบบัญชีผู้ใช้ (Keycloak) ไม่พร้อมใช้งานชั่วคราว กรุณาลองใหม่ภายหลัง",
                  "The account directory (Keycloak) is unavailable; please try again later")
LABELS = {
    "page": "หน้า", "page_size": "จำนวนรายการต่อหน้า", "file": "ไฟล์", "csrf": "รหัสยืนยันแบบฟอร์ม",
    "actor": "ผู้กระทำ", "case_id": "เลขเรื่อง",
    "action": "การกระทำ", "since": "ตั้งแต่", "until": "ถึง", "citizen_id": "เลขประจำตัวประชาชน", "as": "ประเภทผู้ใช้",
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/"):
        return True
    return path.startswith("/dev/thaid/") and not path.endswith("/oauth2/auth/")


def error_page(request: Request, status: int, body: dict[str, Any]) -> Response | None:
    """The error page for a browser on a page; None (JSON) for API calls."""
    if wants_json(request):
        return None
    detail = body["detail"]
    return render(request, "error.html", status_code=status, th=detail["th"], en=detail["en"], errors=body["errors"])


async def directory_down(request: Request, exc: Exception) -> Response:
    log.warning("account directory failed on %s %s: %s", request.method, request.url.path, exc)
    body = error_body(*DIRECTORY_DOWN)
    response = error_page(request, 503, body) or JSONResponse(body, status_code=503)
    response.headers["Retry-After"] = "30"
    return response


# Staff lists (CSV/XLSX) may be up to MAX_BYTES, plus the multipart framing around the file.
UPLOADS = dict.fromkeys(("/api/v1/staff/imports", "/staff/import"), MAX_BYTES + 64 * 1024)


def install_api(app: FastAPI, settings: Settings) -> None:
    """The shared API conventions (contracts.api) with identity's pages, labels and upload limit."""
    install_api_conventions(app, max_body_bytes=settings.max_body_bytes, larger_bodies=UPLOADS, page=error_page,
                            labels=LABELS)
    handlers: dict[type[Exception], Callable[..., Any]] = {
        SignInRequired: sign_in_redirect, CsrfRejected: csrf_rejected, DirectoryError: directory_down,
        KeycloakError: directory_down,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
