"""Staff link their ThaiD (issue 4): a signed-in staff member starts Keycloak's application-initiated
action ``kc_action=idp_link:thaid`` on the authorization endpoint (Keycloak 26.3+, PKCE as for sign-in).
Keycloak sends them to ThaiD, links the ThaiD identity to their account and returns a code to
``/signin/callback``, where identity checks that the same account came back, reads the link (Keycloak's
federated identity, on the dev stack too) and audits ``staff.link_thaid``.

A link whose ThaiD citizen ID (the link record's name: the realm maps ThaiD's ``pid`` to it) is not the
account's citizen ID (its username, which a link never changes: the realm's ThaiD mappers only fill new
accounts) is removed again: ThaiD must prove the person the account belongs to, not anyone who happened to
be at the keyboard. The audit entry names the provider, never the citizen ID (the log holds no personal data).
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from contracts.claims import Claims, Role
from identity.adapters.session_store import SessionStore
from identity.api.deps import record_audit
from identity.api.oidc_flow import STATE_COOKIE, STATE_PATH, failed, start_code_flow
from identity.domain.staff import ThaidLinks
from identity.web.limits import SigninLimits
from identity.web.pages import clear_cookie, render
from identity.web.session import PageClaims, check_csrf, session_token

log = logging.getLogger(__name__)
LINK_PURPOSE = "link_thaid"
KC_ACTION = "idp_link:thaid"
TARGET = "idp:thaid"
STAFF_ONLY = {"th": "เฉพาะบัญชีเจ้าหน้าที่เท่านั้นที่เชื่อมบัญชี ThaiD ได้ (ประชาชนเข้าสู่ระบบด้วย ThaiD อยู่แล้ว)",
              "en": "Only staff accounts link a ThaiD (citizens already sign in with ThaiD)"}
HEADING = {"heading_th": "เชื่อมบัญชี ThaiD ไม่สำเร็จ", "heading_en": "Linking ThaiD failed"}

router = APIRouter(tags=["staff pages"], include_in_schema=False)


def is_staff(claims: Claims) -> bool:
    return bool(claims.roles - {Role.CITIZEN})


@router.post("/staff/link-thaid")
def start_link(request: Request, claims: PageClaims, csrf: Annotated[str, Form(max_length=256)] = "") -> Response:
    """เชื่อมบัญชี ThaiD / Link ThaiD: a 303 to the authorization endpoint with kc_action=idp_link:thaid."""
    check_csrf(request, csrf)
    if not is_staff(claims):
        raise HTTPException(403, detail=STAFF_ONLY)
    limits: SigninLimits = request.app.state.signin_limits
    refusal = limits.refuse(request)
    if refusal is not None:
        return refusal
    links = _links(request)
    if isinstance(links, Response):
        return links
    if links.holder_citizen_id(claims.sub) is None:
        return failed(request, 409, "บัญชีนี้ไม่มีเลขประจำตัวประชาชนที่ใช้ตรวจการเชื่อม ThaiD ได้ กรุณาติดต่อผู้ดูแลระบบ",
                      "This account has no citizen ID to check a ThaiD link against; contact an administrator",
                      **HEADING)
    return start_code_flow(request, "debt-staff", "/", extra={"kc_action": KC_ACTION},
                           remember={"purpose": LINK_PURPOSE, "sub": claims.sub})


def _links(request: Request) -> ThaidLinks | Response:
    links: ThaidLinks | None = request.app.state.staff_directory  # Keycloak: the federated identity `thaid`
    if links is None:
        return failed(request, 503, "ระบบบัญชีผู้ใช้ (Keycloak) ไม่พร้อมใช้งาน", "The account directory is unavailable",
                      **HEADING)
    return links


def link_not_done(request: Request, status: str) -> Response:
    """Keycloak came back without linking: the person cancelled at ThaiD, or Keycloak refused."""
    if status == "cancelled":
        response = render(request, "error.html", status_code=200, heading_th="ยกเลิกการเชื่อมบัญชี ThaiD",
                          heading_en="ThaiD linking cancelled", th="ยังไม่ได้เชื่อมบัญชี ThaiD กับบัญชีของท่าน",
                          en="Your account was not linked to a ThaiD")
    else:
        response = failed(request, 502, "ผู้ให้บริการยืนยันตัวตนไม่ได้เชื่อมบัญชี ThaiD กรุณาลองใหม่",
                          f"The identity provider did not link the ThaiD ({status[:32]})", **HEADING)
    clear_cookie(response, STATE_COOKIE, path=STATE_PATH)
    return response


def finish_link(request: Request, pending: dict[str, str], claims: Claims) -> Response:
    """After the code exchange of a link: same account, a link that exists and fits, then the audit."""
    sessions: SessionStore = request.app.state.sessions
    token = session_token(request)
    signed_in = sessions.claims(token) if token else None
    if signed_in is None or not (signed_in.sub == pending.get("sub") == claims.sub):
        return failed(request, 400, "บัญชีที่กลับมาจากการยืนยันตัวตนไม่ใช่บัญชีที่เริ่มเชื่อม ThaiD กรุณาเข้าสู่ระบบใหม่แล้วลองอีกครั้ง",
                      "The account that came back is not the one that started linking; sign in again", **HEADING)
    links = _links(request)
    if isinstance(links, Response):
        return links
    link = links.thaid_link(claims.sub)
    if link is None:
        return failed(request, 502, "ไม่พบการเชื่อมบัญชี ThaiD ในระบบบัญชีผู้ใช้ กรุณาลองใหม่",
                      "No ThaiD link was found on the account; try again", **HEADING)
    holder = links.holder_citizen_id(claims.sub)
    if holder is None or not hmac.compare_digest(link.linked_citizen_id, holder):
        links.unlink_thaid(claims.sub)
        log.warning("ThaiD link of account %s was not the account holder's and was removed", claims.sub)
        record_audit(request, claims, "staff.link_thaid", outcome="denied", target=TARGET)
        return failed(request, 409, "เลขประจำตัวประชาชนของ ThaiD ไม่ตรงกับบัญชีเจ้าหน้าที่นี้ จึงยกเลิกการเชื่อมแล้ว",
                      "The ThaiD citizen ID is not the one of this staff account, so the link was removed", **HEADING)
    record_audit(request, claims, "staff.link_thaid", target=TARGET)
    response = RedirectResponse("/?linked=thaid", status_code=303)
    clear_cookie(response, STATE_COOKIE, path=STATE_PATH)
    return response
