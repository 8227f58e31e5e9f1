"""The dev issuer's stand-in for Keycloak's application-initiated action ``kc_action=idp_link:thaid``
(ENV=dev only). Keycloak knows who is linking from its own sign-in session; the dev issuer keeps a
signed cookie of the persona last signed in here for the same purpose. Instead of a trip to ThaiD it
asks for a citizen ID (check digit verified), records it as that persona's linked ThaiD identity in
the dev directory (``DevThaidLinks``) and returns to the application with a code and
``kc_action_status=success`` — the same answer Keycloak gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.claims import Role
from contracts.settings import DEV_ISSUER_PATH
from contracts.web import csp_with_form_target, csrf_token
from identity.adapters.code_store import CodeStore
from identity.devtools.thaid_links import DevThaidLinks
from identity.domain import citizen_id as cid
from identity.domain.authorization import AuthorizationError, AuthorizationRequest, redirect_with
from identity.domain.personas import Persona, PersonaError, parse_persona
from identity.settings import Settings
from identity.web.pages import render, set_cookie
from identity.web.session import seal, unseal

SSO_COOKIE = "idp_sso"
SUPPORTED = {"idp_link:thaid"}


def check_action(kc_action: str) -> None:
    if kc_action not in SUPPORTED:
        raise AuthorizationError("invalid_request", "ระบบทดสอบรองรับเฉพาะ kc_action=idp_link:thaid",
                                 "The dev issuer supports only kc_action=idp_link:thaid")


@dataclass
class DevLinkAction:
    settings: Settings
    codes: CodeStore
    links: DevThaidLinks

    def remember(self, response: Response, persona: str) -> None:
        """Called when a persona signs in at the dev issuer: its "sign-in session" for later actions."""
        value = seal(self.settings.session_key, {"persona": persona}, purpose="dev-sso")
        set_cookie(response, SSO_COOKIE, value, max_age=self.settings.session_ttl_seconds, path=DEV_ISSUER_PATH)

    def _signed_in(self, request: Request) -> tuple[str, Persona] | None:
        data = unseal(self.settings.session_key, request.cookies.get(SSO_COOKIE), purpose="dev-sso")
        try:
            return (data["persona"], parse_persona(data["persona"])) if data else None
        except (KeyError, PersonaError):
            return None

    def _refused(self, request: Request, th: str, en: str) -> HTMLResponse:
        return render(request, "error.html", status_code=400, heading_th="เชื่อมบัญชี ThaiD ไม่ได้",
                      heading_en="Cannot link ThaiD", th=th, en=en)

    def _staff(self, request: Request) -> tuple[str, Persona] | HTMLResponse:
        signed_in = self._signed_in(request)
        if signed_in is None:  # Keycloak would first ask the person to sign in; the stand-in asks them to
            return self._refused(request, "ยังไม่ได้เข้าสู่ระบบที่ผู้ให้บริการยืนยันตัวตน กรุณาเข้าสู่ระบบก่อนแล้วเริ่มใหม่",
                                 "Not signed in at the identity provider; sign in first, then start again")
        if signed_in[1].role is Role.CITIZEN:
            return self._refused(request, "เฉพาะบัญชีเจ้าหน้าที่เท่านั้นที่เชื่อมบัญชี ThaiD ได้",
                                 "Only staff accounts link a ThaiD")
        return signed_in

    def page(self, request: Request, auth: AuthorizationRequest, csrf_cookie: str, status_code: int = 200,
             error: dict[str, str] | None = None) -> HTMLResponse:
        staff = self._staff(request)
        if isinstance(staff, HTMLResponse):
            return staff
        hidden = [(k, v) for k, v in (
            ("response_type", "code"), ("client_id", auth.client_id), ("redirect_uri", auth.redirect_uri),
            ("state", auth.state), ("code_challenge", auth.code_challenge), ("code_challenge_method", "S256"),
            ("scope", auth.scope), ("nonce", auth.nonce or ""), ("kc_action", "idp_link:thaid"),
        ) if v]
        response = render(request, "dev_link_thaid.html", status_code=status_code, auth=auth, hidden=hidden,
                          persona=staff[0], action=DEV_ISSUER_PATH + "/protocol/openid-connect/auth", error=error,
                          csrf=csrf_token(self.settings.session_key, csrf_cookie))
        target = urlsplit(auth.redirect_uri)  # already checked against the allowed redirect hosts
        response.headers["Content-Security-Policy"] = csp_with_form_target(f"{target.scheme}://{target.netloc}")
        return response

    def submit(self, request: Request, auth: AuthorizationRequest, csrf_cookie: str, citizen_id: str,
               cancel: bool) -> Response:
        staff = self._staff(request)
        if isinstance(staff, HTMLResponse):
            return staff
        raw, persona = staff
        if not cancel:
            linked = cid.normalise(citizen_id)
            if not cid.is_valid(linked):
                return self.page(request, auth, csrf_cookie, 400, {
                    "th": "เลขประจำตัวประชาชนไม่ถูกต้อง (13 หลัก เลขตรวจสอบต้องตรง)",
                    "en": "Not a valid citizen ID (13 digits with a matching check digit)"})
            if not self.links.link(persona.subject, linked):
                return self.page(request, auth, csrf_cookie, 409, {
                    "th": "ThaiD นี้เชื่อมกับบัญชีอื่นอยู่แล้ว", "en": "This ThaiD is already linked to another account"})
        code = self.codes.issue(auth, raw)
        status = "cancelled" if cancel else "success"
        location = redirect_with(auth.redirect_uri, code=code, state=auth.state, iss=self.settings.dev_issuer,
                                 kc_action_status=status)
        return RedirectResponse(location, status_code=303)
