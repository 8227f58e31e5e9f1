"""``/activate/<token>``: the page a new staff member reaches from the welcome e-mail (no sign-in: the token is
the proof). Thai first. The form is CSRF-protected with a double-submit value: the page sets a random cookie
and the form carries an HMAC of it (and of the token); a post without both matching is refused.
A used, expired, superseded or unknown token gets a clear Thai page (410, or 404 for unknown)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.claims import Claims
from contracts.web import csrf_token, csrf_valid
from identity.activation.api import resend_welcome
from identity.activation.keycloak import KeycloakActivation
from identity.activation.rules import MIN_PASSWORD, Refusal, hash_token
from identity.activation.use_cases import activate, check_token
from identity.api.deps import record_audit
from identity.api.staff_common import UNAVAILABLE
from identity.web.pages import render, set_cookie
from identity.web.session import CsrfRejected, PageClaims, check_csrf, session_key

router = APIRouter(prefix="/activate", tags=["activation pages"], include_in_schema=False)
staff_router = APIRouter(prefix="/staff", tags=["staff pages"], include_in_schema=False)
COOKIE = "idn_activate"
REFUSALS = {
    Refusal.UNKNOWN: (404, "ลิงก์นี้ใช้ไม่ได้", "This link does not work",
                      "ลิงก์ไม่ถูกต้อง หรือมีการส่งลิงก์ใหม่แทนแล้ว (ใช้ได้เฉพาะลิงก์ในอีเมลฉบับล่าสุด) "
                      "กรุณาติดต่อผู้ดูแลบัญชีของหน่วยงานเพื่อขอลิงก์ใหม่",
                      "The link is wrong, or a newer one was sent (only the latest e-mail's link works). Ask your "
                      "unit's account administrator for a new link."),
    Refusal.EXPIRED: (410, "ลิงก์หมดอายุแล้ว", "This link has expired",
                      "ลิงก์เปิดใช้บัญชีใช้ได้ภายใน 3 วันหลังส่ง กรุณาติดต่อผู้ดูแลบัญชีของหน่วยงานเพื่อขอลิงก์ใหม่",
                      "Activation links work for 3 days after they are sent. Ask your unit's account administrator "
                      "for a new one."),
    Refusal.USED: (410, "ลิงก์นี้ถูกใช้ไปแล้ว", "This link was already used",
                   "บัญชีนี้ตั้งรหัสผ่านแล้ว กรุณาลงชื่อเข้าใช้ตามปกติ หากท่านไม่ได้เป็นผู้ตั้งรหัสผ่าน "
                   "กรุณาแจ้งผู้ดูแลบัญชีของหน่วยงานทันที",
                   "The account's password was already set: sign in as usual. If it was not you who set it, tell "
                   "your unit's account administrator at once."),
}


def _keycloak(request: Request) -> KeycloakActivation:
    directory = request.app.state.staff_directory
    if directory is None:
        raise HTTPException(503, detail=UNAVAILABLE)
    return KeycloakActivation(directory.admin)


def _csrf(request: Request, nonce: str, token: str) -> str:
    return csrf_token(session_key(request), f"activate:{nonce}:{hash_token(token)}")


def _refused(request: Request, refusal: Refusal) -> Response:
    status, heading_th, heading_en, th, en = REFUSALS[refusal]
    return render(request, "error.html", status_code=status, heading_th=heading_th, heading_en=heading_en, th=th, en=en)


def _form(request: Request, token: str, status_code: int = 200, problems: tuple[object, ...] = ()) -> Response:
    nonce = secrets.token_urlsafe(16)
    response = render(request, "activate.html", status_code=status_code, csrf=_csrf(request, nonce, token),
                      min_length=MIN_PASSWORD, problems=problems)
    set_cookie(response, COOKIE, nonce, max_age=3600, path="/activate")
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL: never pass it on
    return response


@router.get("/{token}", response_class=HTMLResponse)
async def activation_form(request: Request, token: str) -> Response:
    checked = await run_in_threadpool(check_token, request.app.state.activations, _keycloak(request), token)
    if isinstance(checked, Refusal):
        return _refused(request, checked)
    return _form(request, token)


@router.post("/{token}", response_class=HTMLResponse)
async def activation_submit(request: Request, token: str, password: Annotated[str, Form(max_length=256)] = "",
                            confirmation: Annotated[str, Form(max_length=256)] = "",
                            csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    nonce = request.cookies.get(COOKIE)
    if not nonce or not csrf_valid(session_key(request), f"activate:{nonce}:{hash_token(token)}", csrf):
        raise CsrfRejected()
    outcome = await run_in_threadpool(activate, request.app.state.activations, _keycloak(request), token, password,
                                      confirmation)
    if outcome.refusal is not None:
        return _refused(request, outcome.refusal)
    if outcome.problems:
        return _form(request, token, status_code=422, problems=outcome.problems)
    assert outcome.user_id is not None
    # The person is not signed in: the account itself is the actor of its activation.
    await run_in_threadpool(record_audit, request, Claims(sub=outcome.user_id, roles=frozenset()), "staff.activate",
                            target=outcome.user_id)
    response = render(request, "activate_done.html")
    response.delete_cookie(COOKIE, path="/activate", secure=True, httponly=True, samesite="lax")
    return response


@staff_router.post("/{user_id}/activation")
def resend_page(request: Request, claims: PageClaims, user_id: str, csrf: Annotated[str, Form()] = "") -> Response:
    """The staff directory's "send the activation link again" button (session + CSRF)."""
    check_csrf(request, csrf)
    resend_welcome(request, claims, user_id)
    return RedirectResponse("/staff/directory?done=welcome_resent", status_code=303)
