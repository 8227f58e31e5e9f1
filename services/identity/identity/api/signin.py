"""Sign-in to identity's pages: OIDC authorization code with PKCE against Keycloak (citizens go
straight to ThaiD with ``kc_idp_hint=thaid``), then a server-side session cookie. On the dev stack
the same flow runs against the dev issuer."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.claims import TokenError
from identity.adapters.oidc_client import OidcClient, SignInFailed
from identity.adapters.session_store import SessionStore
from identity.api.deps import record_audit
from identity.domain.authorization import s256
from identity.settings import Settings
from identity.web.limits import SigninLimits, too_many
from identity.web.pages import clear_cookie, render, set_cookie
from identity.web.session import (
    SESSION_COOKIE,
    check_csrf,
    page_claims,
    page_context,
    seal,
    session_key,
    session_token,
    unseal,
)

STATE_COOKIE = "idn_signin"
CLIENTS = {"staff": "debt-staff", "citizen": "debt-public"}

router = APIRouter(tags=["sign-in"])


def _safe_next(next_path: str | None) -> str:
    if not next_path or not next_path.startswith("/") or next_path.startswith(("//", "/\\")):
        return "/"
    return next_path


def _failed(request: Request, status_code: int, th: str, en: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, heading_th="เข้าสู่ระบบไม่สำเร็จ",
                  heading_en="Sign-in failed", th=th, en=en)


@router.get("/signin")
def signin(request: Request, next: Annotated[str | None, Query()] = None,
           who: Annotated[str, Query(alias="as", pattern="^(staff|citizen)$")] = "staff") -> Response:
    settings: Settings = request.app.state.settings
    limits: SigninLimits = request.app.state.signin_limits
    refusal = limits.refuse(request)
    if refusal is not None:
        return refusal
    oidc: OidcClient = request.app.state.oidc
    verifier, state, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    params = {"response_type": "code", "client_id": CLIENTS[who], "redirect_uri": _callback(settings),
              "state": state, "nonce": nonce, "scope": "openid", "code_challenge": s256(verifier),
              "code_challenge_method": "S256"}
    if who == "citizen":
        params["kc_idp_hint"] = "thaid"
    try:
        location = oidc.authorization_url(params)
    except Exception:  # noqa: BLE001 - any discovery failure means the IdP is unavailable
        return _failed(request, 503, "ระบบยืนยันตัวตนไม่พร้อมใช้งาน กรุณาลองใหม่ภายหลัง",
                       "The identity provider is unavailable; try again later")
    response = RedirectResponse(location, status_code=303)
    pending = {"state": state, "verifier": verifier, "nonce": nonce, "client": CLIENTS[who],
               "next": _safe_next(next)}
    set_cookie(response, STATE_COOKIE, seal(session_key(request), pending), max_age=600, path="/signin")
    return response


def _callback(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + "/signin/callback"


@router.get("/signin/callback")
def callback(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
    settings: Settings = request.app.state.settings
    pending = unseal(session_key(request), request.cookies.get(STATE_COOKIE))
    if pending is None or not state or not secrets.compare_digest(pending["state"], state):
        return _failed(request, 400, "คำขอเข้าสู่ระบบหมดอายุหรือไม่ถูกต้อง กรุณาเริ่มใหม่",
                       "The sign-in request expired or does not match; start again")
    if error or not code:
        return _failed(request, 400, "การเข้าสู่ระบบถูกยกเลิก", f"Sign-in was not completed ({error or 'no code'})")
    oidc: OidcClient = request.app.state.oidc
    try:
        tokens = oidc.exchange(code=code, redirect_uri=_callback(settings), client_id=pending["client"],
                               code_verifier=pending["verifier"])
        claims = oidc.verifier.verify(tokens["access_token"])
        oidc.verifier.verify_id_token(tokens["id_token"], pending["client"], pending["nonce"])
    except (SignInFailed, TokenError, KeyError) as exc:
        return _failed(request, 502, "ไม่สามารถยืนยันตัวตนได้ กรุณาลองใหม่", f"Could not complete sign-in: {exc}")
    limits: SigninLimits = request.app.state.signin_limits
    if claims.citizen_id and not limits.per_citizen.allow("pid:" + claims.citizen_id):
        return too_many(request, limits.per_citizen.retry_after("pid:" + claims.citizen_id))
    sessions: SessionStore = request.app.state.sessions
    response = RedirectResponse(pending["next"], status_code=303)
    set_cookie(response, SESSION_COOKIE, sessions.start(claims), max_age=settings.session_ttl_seconds)
    clear_cookie(response, STATE_COOKIE, path="/signin")
    record_audit(request, claims, "session.signin", target=pending["client"])
    return response


@router.post("/signout")
def signout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    claims = page_claims(request)
    check_csrf(request, csrf)
    sessions: SessionStore = request.app.state.sessions
    token = session_token(request)
    if token:
        sessions.end(token)
    record_audit(request, claims, "session.signout")
    response = RedirectResponse("/", status_code=303)
    clear_cookie(response, SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    token = session_token(request)
    sessions: SessionStore = request.app.state.sessions
    claims = sessions.claims(token) if token else None
    if claims is None:
        return render(request, "home.html", signed_in=False)
    return render(request, "home.html", signed_in=True, **page_context(request, claims))
