"""Sign-in for the pages: OIDC authorization code + PKCE against Keycloak (which brokers ThaiD), a fresh
server-side session afterwards, and sign-out.

A session lasts as long as the access token it was made from (``token_exp``, see ``adapters/session``); then
the pages send the visitor through sign-in again, which carries their unfinished draft over to the new
session when the same person signs in. Every completed sign-in is audited (``session.signin``)."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from contracts.access import STAFF_ROLES
from contracts.claims import Claims, Role, TokenError, TokenVerifier
from contracts.oidc_flow import OidcError, Pkce, token_expiry
from registration.cases.audit import AuditTrail
from registration.web.context import SIGNED_IN_KINDS, PageProblem, WebContext, actor, now, posted_form, web
from registration.web.session import session_key

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
PENDING_TTL = 600
HOME = {"public": "/register", "staff": "/staff"}


def _local_path(raw: str | None, default: str) -> str:
    """Only paths on this site: ``//evil.example`` or ``https://…`` would make sign-in an open redirect."""
    if raw and raw.startswith("/") and not raw.startswith(("//", "/\\")) and len(raw) < 200:
        return raw
    return default


def _fits_flow(flow: str, claims: Claims) -> bool:
    if flow == "public":
        return Role.CITIZEN in claims.roles and claims.citizen_id is not None
    return claims.has(*STAFF_ROLES)


@router.get("/auth/signin")
def sign_in(ctx: Ctx, request: Request, flow: Annotated[str, Query(max_length=10)] = "public",
            next: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    ctx.limit(request, None)  # each call writes a pending session: bound them per address
    flow = "staff" if flow == "staff" else "public"
    pkce, state, nonce = Pkce.new(), secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    client_id = ctx.settings.staff_client_id if flow == "staff" else ctx.settings.public_client_id
    redirect_uri = ctx.settings.url(str(request.base_url), "/auth/callback")
    try:
    # "openid" only: the realm's page clients put every claim we use in the token through their own mappers.
        url = ctx.oidc.authorization_url(client_id=client_id, redirect_uri=redirect_uri,
                                         state=state, nonce=nonce, pkce=pkce, scope="openid",
                                         lang=ctx.lang(request))
    except OidcError:
        raise PageProblem(503, "ระบบยืนยันตัวตนไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่ในอีกสักครู่",
                          "The sign-in service is unavailable. Please try again shortly.") from None
    login = {"state": state, "verifier": pkce.verifier, "flow": flow, "client_id": client_id,
             "redirect_uri": redirect_uri, "next": _local_path(next, HOME[flow])}
    previous = ctx.load_session(request, ended_too=True)
    if previous is not None and previous.kind in SIGNED_IN_KINDS:
        login["resume"] = session_key(previous.sid)  # its draft goes to the new session if the same person signs in
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
                          "The sign-in expired or is invalid. Please start again.",
                          sign_in="/auth/signin?flow=public")
    sessions = ctx.sessions(request)
    sessions.delete(pending.sid)  # one use only
    flow = str(login["flow"])
    again = f"/auth/signin?flow={flow}&next={login['next']}"
    if error or not code:
        raise PageProblem(401, "ยังไม่ได้เข้าสู่ระบบ (ยกเลิกหรือยืนยันตัวตนไม่สำเร็จ)",
                          "Sign-in was cancelled or failed.", sign_in=again)
    # PKCE binds the code to this browser's session and state to this request; the nonce would protect an
    # id token, but what we trust is the access token, verified below like every API request.
    try:
        tokens = ctx.oidc.exchange_code(
            client_id=str(login["client_id"]), code=code, redirect_uri=str(login["redirect_uri"]),
            verifier=str(login["verifier"]),
            client_secret=ctx.settings.staff_client_secret if flow == "staff" else ctx.settings.public_client_secret,
        )
        verifier: TokenVerifier = request.app.state.token_verifier
        claims = verifier.verify(tokens.access_token)
    except (OidcError, TokenError):
        raise PageProblem(502, "ยืนยันตัวตนไม่สำเร็จ กรุณาลองใหม่อีกครั้ง", "Sign-in failed. Please try again.",
                          sign_in=again) from None
    allowed = _fits_flow(flow, claims)
    audit: AuditTrail = request.app.state.audit
    audit.signin(actor(request, claims), allowed)
    if not allowed:
        raise PageProblem(403, "บัญชีนี้ใช้กับหน้านี้ไม่ได้", "This account cannot use these pages.", sign_in=again)
    # The session ends with the token: a deactivated account cannot keep using the pages on an old session.
    token_exp = token_expiry(tokens.access_token) or now().timestamp() + tokens.expires_in
    # A new session id after sign-in, so an id planted before it (session fixation) is worthless.
    sid = sessions.create({"kind": flow, "claims": claims.model_dump(mode="json"), "access_token": tokens.access_token,
                           "token_exp": token_exp}, ctx.settings.session_ttl_seconds)
    if login.get("resume"):
        sessions.carry_over(str(login["resume"]), sid, kind=flow, sub=claims.sub)
    response = RedirectResponse(str(login["next"]), status_code=303)
    ctx.set_cookie(response, sid)
    return response


@router.post("/auth/signout")
def sign_out(ctx: Ctx, request: Request, form: Annotated[FormData, Depends(posted_form)]) -> Response:
    session = ctx.load_session(request, ended_too=True)  # signing out of an ended session still clears it
    ctx.check_post(request, session, form)
    assert session is not None
    ctx.sessions(request).delete(session.sid)
    response = RedirectResponse(HOME.get(session.kind, "/register") + "?signed_out=1", status_code=303)
    ctx.clear_cookie(response)
    return response
