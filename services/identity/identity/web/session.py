"""Who is signed in to identity's pages, and the CSRF check every cookie-authenticated form passes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from contracts.access import may_provision_staff, may_read_audit, staff_directory_scope
from contracts.claims import Claims
from contracts.web import csrf_token, csrf_valid
from identity.adapters.session_store import SessionStore
from identity.web.pages import render

SESSION_COOKIE = "idn_session"


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class CsrfRejected(Exception):
    pass


def session_key(request: Request) -> bytes:
    key: bytes = request.app.state.settings.session_key
    return key


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def page_claims(request: Request) -> Claims:
    """FastAPI dependency for pages: the signed-in person, or a redirect to sign-in."""
    token = session_token(request)
    sessions: SessionStore = request.app.state.sessions
    claims = sessions.claims(token) if token else None
    if claims is None:
        raise SignInRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return claims


PageClaims = Annotated[Claims, Depends(page_claims)]


def csrf_for(request: Request) -> str:
    return csrf_token(session_key(request), session_token(request) or "")


def check_csrf(request: Request, submitted: str) -> None:
    if not csrf_valid(session_key(request), session_token(request), submitted):
        raise CsrfRejected()


def page_context(request: Request, claims: Claims) -> dict[str, Any]:
    """What the base template needs: who is signed in and the sign-out form's CSRF token."""
    label = " ".join(filter(None, [claims.given_name, claims.family_name])) or claims.sub
    roles = ", ".join(sorted(r.value for r in claims.roles))
    return {"session_user": f"{label} ({roles}{' · ' + claims.unit_code if claims.unit_code else ''})",
            "csrf": csrf_for(request), "claims": claims, "can_import": may_provision_staff(claims),
            "can_list": staff_directory_scope(claims) is not None, "can_audit": may_read_audit(claims)}


def sign_in_redirect(_request: Request, exc: SignInRequired) -> Response:
    return RedirectResponse("/signin?next=" + quote(exc.next_path, safe=""), status_code=303)


def csrf_rejected(request: Request, _exc: CsrfRejected) -> Response:
    return render(request, "error.html", status_code=403, th="แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง",
                  en="The form expired or is invalid (CSRF). Reload the page and try again.")


# -------------------------------------------------------------- signed, short-lived sign-in state


def seal(key: bytes, data: dict[str, str], purpose: str = "signin") -> str:
    """``data`` signed for one ``purpose``: a value sealed for one purpose never unseals for another."""
    body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")
    mac = hmac.new(key, purpose.encode() + b":" + body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def unseal(key: bytes, value: str | None, purpose: str = "signin") -> dict[str, str] | None:
    if not value or "." not in value:
        return None
    body, mac = value.rsplit(".", 1)
    expected = hmac.new(key, purpose.encode() + b":" + body.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, expected):
        return None
    data: dict[str, str] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return data
