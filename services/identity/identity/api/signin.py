"""Sign-in to identity's pages: OIDC authorization code with PKCE against Keycloak (citizens go
straight to ThaiD with ``kc_idp_hint=thaid``), then a server-side session cookie. The dev stack runs the
same flow against its own Keycloak, whose ThaiD is identity's simulator. The callback also completes a staff ThaiD link
(``identity.api.thaid_link``), which returns through the same registered redirect URI."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.claims import TokenError
from identity.adapters.oidc_client import OidcClient, SignInFailed
from identity.adapters.session_store import SessionStore
from identity.api.deps import record_audit
from identity.api.oidc_flow import CLIENTS, STATE_COOKIE, STATE_PATH, callback_url, failed, start_code_flow
from identity.api.thaid_link import LINK_PURPOSE, finish_link, is_staff, link_not_done
from identity.settings import Settings
from identity.web.limits import SigninLimits, too_many
from identity.web.pages import clear_cookie, render, set_cookie
from identity.web.session import (
    SESSION_COOKIE,
    check_csrf,
    page_claims,
    page_context,
    session_key,
    session_token,
    unseal,
)

router = APIRouter(tags=["sign-in"], include_in_schema=False)  # browser pages, like the staff and audit pages


@router.get("/signin")
def signin(request: Request, next: Annotated[str | None, Query(max_length=512)] = None,
           who: Annotated[str, Query(alias="as", pattern="^(staff|citizen)$")] = "staff") -> Response:
    limits: SigninLimits = request.app.state.signin_limits
    refusal = limits.refuse(request)
    if refusal is not None:
        return refusal
    extra = {"kc_idp_hint": "thaid"} if who == "citizen" else None
    return start_code_flow(request, CLIENTS[who], next, extra=extra)


@router.get("/signin/callback")
def callback(request: Request, code: Annotated[str, Query(max_length=2048)] = "",
             state: Annotated[str, Query(max_length=512)] = "", error: Annotated[str, Query(max_length=256)] = "",
             kc_action_status: Annotated[str, Query(max_length=32)] = "") -> Response:
    settings: Settings = request.app.state.settings
    pending = unseal(session_key(request), request.cookies.get(STATE_COOKIE))
    if pending is None or not state or not secrets.compare_digest(pending["state"], state):
        return failed(request, 400, "คำขอเข้าสู่ระบบหมดอายุหรือไม่ถูกต้อง กรุณาเริ่มใหม่",
                      "The sign-in request expired or does not match; start again")
    if pending.get("purpose") == LINK_PURPOSE and kc_action_status != "success":
        return link_not_done(request, kc_action_status or error or "no status")
    if error or not code:
        return failed(request, 400, "การเข้าสู่ระบบถูกยกเลิก", f"Sign-in was not completed ({error or 'no code'})")
    oidc: OidcClient = request.app.state.oidc
    try:
        tokens = oidc.exchange(code=code, redirect_uri=callback_url(settings), client_id=pending["client"],
                               code_verifier=pending["verifier"],
                               client_secret=settings.client_secret(pending["client"]))
        claims = oidc.verifier.verify(tokens["access_token"])
        oidc.verifier.verify_id_token(tokens["id_token"], pending["client"], pending["nonce"])
    except (SignInFailed, TokenError, KeyError) as exc:
        return failed(request, 502, "ไม่สามารถยืนยันตัวตนได้ กรุณาลองใหม่", f"Could not complete sign-in: {exc}")
    if pending.get("purpose") == LINK_PURPOSE:
        return finish_link(request, pending, claims)
    limits: SigninLimits = request.app.state.signin_limits
    wait = limits.per_citizen.hit("pid:" + claims.citizen_id) if claims.citizen_id else None
    if wait is not None:
        return too_many(request, wait)
    sessions: SessionStore = request.app.state.sessions
    response = RedirectResponse(pending["next"], status_code=303)
    set_cookie(response, SESSION_COOKIE, sessions.start(claims), max_age=settings.session_ttl_seconds)
    clear_cookie(response, STATE_COOKIE, path=STATE_PATH)
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
def home(request: Request, linked: Annotated[str, Query(max_length=16)] = "") -> Response:
    token = session_token(request)
    sessions: SessionStore = request.app.state.sessions
    claims = sessions.claims(token) if token else None
    if claims is None:
        return render(request, "home.html", signed_in=False)
    return render(request, "home.html", signed_in=True, just_linked=linked == "thaid", can_link_thaid=is_staff(claims),
                  **page_context(request, claims))
