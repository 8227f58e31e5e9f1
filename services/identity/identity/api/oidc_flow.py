"""The start of identity's OIDC authorization-code flow with PKCE, shared by sign-in and by the staff
ThaiD link (an application-initiated action on the same authorization endpoint): the redirect to the
identity provider and the short-lived, signed cookie that remembers what was asked."""

from __future__ import annotations

import secrets

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from identity.adapters.oidc_client import OidcClient
from identity.domain.authorization import s256
from identity.settings import Settings
from identity.web.pages import render, set_cookie
from identity.web.session import seal, session_key

STATE_COOKIE = "idn_signin"
STATE_PATH = "/signin"  # the callback is /signin/callback
CLIENTS = {"staff": "debt-staff", "citizen": "debt-public"}


def safe_next(next_path: str | None) -> str:
    if not next_path or not next_path.startswith("/") or next_path.startswith(("//", "/\\")):
        return "/"
    return next_path


def callback_url(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + "/signin/callback"


def failed(request: Request, status_code: int, th: str, en: str, heading_th: str = "เข้าสู่ระบบไม่สำเร็จ",
           heading_en: str = "Sign-in failed") -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, heading_th=heading_th, heading_en=heading_en,
                  th=th, en=en)


def start_code_flow(request: Request, client_id: str, next_path: str | None, *, extra: dict[str, str] | None = None,
                    remember: dict[str, str] | None = None) -> Response:
    """A 303 to the authorization endpoint (PKCE S256, state, nonce, plus ``extra`` parameters such as
    ``kc_idp_hint`` or ``kc_action``); ``remember`` is kept for the callback in the state cookie."""
    settings: Settings = request.app.state.settings
    oidc: OidcClient = request.app.state.oidc
    verifier, state, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": callback_url(settings),
              "state": state, "nonce": nonce, "scope": "openid", "code_challenge": s256(verifier),
              "code_challenge_method": "S256", **(extra or {})}
    try:
        location = oidc.authorization_url(params)
    except Exception:  # noqa: BLE001 - any discovery failure means the IdP is unavailable
        return failed(request, 503, "ระบบยืนยันตัวตนไม่พร้อมใช้งาน กรุณาลองใหม่ภายหลัง",
                      "The identity provider is unavailable; try again later")
    response = RedirectResponse(location, status_code=303)
    pending = {"state": state, "verifier": verifier, "nonce": nonce, "client": client_id,
               "next": safe_next(next_path), **(remember or {})}
    set_cookie(response, STATE_COOKIE, seal(session_key(request), pending), max_age=600, path=STATE_PATH)
    return response
