"""Staff sign-in to the reporting pages: OIDC authorization code + PKCE against Keycloak (which brokers
ThaiD) with the realm's confidential staff client, a fresh server-side session afterwards, and sign-out."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from contracts.access import STAFF_ROLES
from contracts.claims import TokenError, TokenVerifier
from contracts.oidc_flow import OidcError, Pkce, token_expiry
from reporting.web.context import PREFIX, PageProblem, WebContext, csrf_form, render, sign_in_url, web

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
PENDING_TTL = 600
CALLBACK = f"{PREFIX}/auth/callback"


def _local_path(raw: str | None) -> str:
    """Only our own pages: ``//evil.example`` or ``https://…`` would make sign-in an open redirect."""
    if raw and raw.startswith(PREFIX) and not raw.startswith(("//", "/\\")) and len(raw) < 300:
        return raw
    return PREFIX


@router.get("")
def home(request: Request) -> Response:
    """The reporting start page: the features' pages (each checks who may open it)."""
    return render(request, "home.html")


@router.get("/auth/signin")
def sign_in(ctx: Ctx, request: Request, next: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    pkce, state = Pkce.new(), secrets.token_urlsafe(24)
    redirect_uri = ctx.settings.url(str(request.base_url), CALLBACK)
    try:
        url = ctx.oidc.authorization_url(client_id=ctx.settings.client_id, redirect_uri=redirect_uri, state=state,
                                         pkce=pkce, lang=ctx.lang(request))
    except OidcError:
        raise PageProblem(503, "ระบบยืนยันตัวตนไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่ในอีกสักครู่",
                          "The sign-in service is unavailable. Please try again shortly.") from None
    login = {"state": state, "verifier": pkce.verifier, "redirect_uri": redirect_uri, "next": _local_path(next)}
    sid = ctx.sessions(request).create({"kind": "pending", "login": login}, PENDING_TTL)
    response = RedirectResponse(url, status_code=303)
    ctx.set_cookie(response, sid)
    return response


@router.get("/auth/callback")
def callback(ctx: Ctx, request: Request, state: Annotated[str, Query(max_length=600)] = "",
             code: Annotated[str, Query(max_length=2000)] = "",
             error: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    pending = ctx.load_session(request)
    login = pending.doc.get("login") if pending and pending.kind == "pending" else None
    if pending is None or not login or not hmac.compare_digest(str(login["state"]), state):
        raise PageProblem(400, "การเข้าสู่ระบบหมดเวลาหรือไม่ถูกต้อง กรุณาเริ่มเข้าสู่ระบบใหม่",
                          "The sign-in expired or is invalid. Please start again.", sign_in=sign_in_url(PREFIX))
    sessions = ctx.sessions(request)
    sessions.delete(pending.sid)  # one use only
    again = sign_in_url(str(login["next"]))
    if error or not code:
        raise PageProblem(401, "ยังไม่ได้เข้าสู่ระบบ (ยกเลิกหรือยืนยันตัวตนไม่สำเร็จ)",
                          "Sign-in was cancelled or failed.", sign_in=again)
    try:
        token = ctx.oidc.exchange_code(client_id=ctx.settings.client_id, client_secret=ctx.settings.client_secret,
                                       code=code, redirect_uri=str(login["redirect_uri"]),
                                       verifier=str(login["verifier"])).access_token
        verifier: TokenVerifier = request.app.state.token_verifier
        claims = verifier.verify(token)  # what we trust is the access token, verified like every API call
    except (OidcError, TokenError):
        raise PageProblem(502, "ยืนยันตัวตนไม่สำเร็จ กรุณาลองใหม่อีกครั้ง", "Sign-in failed. Please try again.",
                          sign_in=again) from None
    if not claims.has(*STAFF_ROLES):
        raise PageProblem(403, "บัญชีนี้ใช้กับหน้ารายงานไม่ได้", "This account cannot use the reporting pages.")
    # The session ends with the token; a new session id after sign-in defeats session fixation.
    token_exp = token_expiry(token) or time.time() + 300
    sid = sessions.create({"kind": "staff", "claims": claims.model_dump(mode="json"), "token_exp": token_exp},
                          ctx.settings.session_ttl_seconds)
    response = RedirectResponse(str(login["next"]), status_code=303)
    ctx.set_cookie(response, sid)
    return response


@router.post("/auth/signout")
def sign_out(ctx: Ctx, request: Request, form: Annotated[FormData, Depends(csrf_form)]) -> Response:
    session = ctx.load_session(request, ended_too=True)
    assert session is not None  # csrf_form refused a post without one
    ctx.sessions(request).delete(session.sid)
    response = RedirectResponse(f"{PREFIX}?signed_out=1", status_code=303)
    ctx.clear_cookie(response)
    return response
