"""Opt-out routes: the SMS gateway's inbound-SMS callback (a debtor replied STOP or START; HTTP basic auth with
the same shared secret as delivery reports) and the link page ``/optout/<token>`` (Thai first; a form, so a link
preview or prefetch stops nothing; CSRF double-submit: a random cookie and an HMAC of it in the form)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from jinja2 import Environment, FileSystemLoader, select_autoescape

from contracts.api import error_responses
from notify.channels.phone import InvalidPhone, to_e164
from notify.messages.model import Channel
from notify.messages.store import MessageStore
from notify.optout.rules import Reply, may_opt_out, message_of, read_reply
from notify.optout.store import OptOuts
from notify.sending.ports import Directory

api = APIRouter(prefix="/api/v1", tags=["notify"])
pages = APIRouter(prefix="/optout", include_in_schema=False)
_basic = HTTPBasic(auto_error=False)
_pages = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
                     autoescape=select_autoescape(["html"]))
COOKIE = "ntf_optout"


def _gateway(request: Request, credentials: HTTPBasicCredentials | None) -> None:
    settings = request.app.state.settings
    if credentials is None or not (
            secrets.compare_digest(credentials.username.encode(), settings.sms_username.encode())
            and secrets.compare_digest(credentials.password.encode(), settings.sms_receipt_secret.encode())):
        raise HTTPException(401, detail={"code": "auth.required", "th": "กรุณายืนยันตัวตน",
                                         "en": "Gateway credentials required"}, headers={"WWW-Authenticate": "Basic"})


@api.post("/inbound/sms", responses=error_responses(401, 422))
async def inbound_sms(
    request: Request, credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
    msisdn: Annotated[str, Form(max_length=32)], message: Annotated[str, Form(max_length=1600)] = "",
) -> dict[str, Any]:
    """SMS ที่ผู้รับตอบกลับ (ผ่านผู้ให้บริการ) / An SMS a recipient sent back, relayed by the gateway (basic auth).
    STOP (หยุด, ยกเลิก) stops optional messages to that number; START (รับ) resumes them; anything else is ignored."""
    _gateway(request, credentials)
    reply = read_reply(message)
    if reply is None:
        return {"action": None}
    try:
        number = to_e164(msisdn)
    except InvalidPhone:
        raise HTTPException(422, detail={"code": "msisdn.invalid", "th": "หมายเลขโทรศัพท์ไม่ถูกต้อง",
                                         "en": "Not a valid phone number", "field": "msisdn"}) from None
    opt_outs: OptOuts = request.app.state.opt_outs
    if reply is Reply.STOP:
        await run_in_threadpool(opt_outs.stop, number, "sms", int(time.time() * 1000))
    else:
        await run_in_threadpool(opt_outs.start, number)
    return {"action": reply.value}


def _csrf(request: Request, nonce: str, token: str) -> str:
    key = request.app.state.opt_outs.key
    return hmac.new(key, f"csrf:{nonce}:{token}".encode(), hashlib.sha256).hexdigest()


def _page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    response = HTMLResponse(_pages.get_template(name).render(**context), status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _optional_message(request: Request, token: str) -> tuple[str, str] | None:
    """(message id, recipient) of a genuine link to an optional SMS, or None."""
    message_id = message_of(request.app.state.opt_outs.key, token)
    store: MessageStore = request.app.state.messages
    message = store.get(message_id) if message_id else None
    if message is None or not may_opt_out(message.template, message.recipient, message.channel):
        return None
    return message.id, message.recipient


def _unknown() -> HTMLResponse:
    return _page("optout.html", 404, state="unknown")


@pages.get("/{token}", response_class=HTMLResponse)
async def optout_form(request: Request, token: str) -> HTMLResponse:
    if await run_in_threadpool(_optional_message, request, token) is None:
        return _unknown()
    nonce = secrets.token_urlsafe(16)
    response = _page("optout.html", state="ask", csrf=_csrf(request, nonce, token))
    response.set_cookie(COOKIE, nonce, max_age=3600, path="/optout", secure=True, httponly=True, samesite="lax")
    return response


@pages.post("/{token}", response_class=HTMLResponse)
async def optout_confirm(request: Request, token: str, csrf: Annotated[str, Form(max_length=128)] = "") -> HTMLResponse:
    nonce = request.cookies.get(COOKIE)
    if not nonce or not hmac.compare_digest(_csrf(request, nonce, token), csrf):
        return _page("optout.html", 403, state="csrf")
    found = await run_in_threadpool(_optional_message, request, token)
    if found is None:
        return _unknown()
    directory: Directory = request.app.state.directory
    # The number comes from the message's recipient (registration's contact API, audited there), never the link.
    address = await run_in_threadpool(directory.address, found[1], Channel.SMS)
    if address is None:
        return _unknown()
    await run_in_threadpool(request.app.state.opt_outs.stop, address, "link", int(time.time() * 1000))
    response = _page("optout.html", state="done")
    response.delete_cookie(COOKIE, path="/optout", secure=True, httponly=True, samesite="lax")
    return response
