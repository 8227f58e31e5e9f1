"""The dev issuer's authorization-code flow with PKCE, at Keycloak's paths. ENV=dev only.

GET …/auth shows the dev persona page; POST …/auth (CSRF-checked, rate-limited) signs the chosen
persona in and redirects back with a one-time code; POST …/token exchanges the code (bound to the
client, the redirect URI and the PKCE challenge) for an access token and an id token. With
``kc_action=idp_link:thaid`` the same endpoint runs the staff ThaiD link instead (``dev_link``).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from contracts.claims import Claims, Role
from contracts.settings import DEV_ISSUER_PATH
from contracts.web import csp_with_form_target, csrf_token, csrf_valid
from identity.adapters.code_store import CodeStore
from identity.adapters.signing_keys import KeyRing
from identity.api.deps import record_audit
from identity.api.dev_link import DevLinkAction, check_action
from identity.devtools.thaid_links import DevThaidLinks
from identity.domain.authorization import (
    AuthorizationError,
    AuthorizationRequest,
    check_exchange,
    parse_authorization_request,
    redirect_with,
)
from identity.domain.personas import PersonaError, parse_persona, persona_claims
from identity.domain.tokens import sign_access_token, sign_id_token
from identity.settings import Settings
from identity.web.limits import SigninLimits
from identity.web.pages import render, set_cookie

AUTH_PATH = DEV_ISSUER_PATH + "/protocol/openid-connect/auth"
TOKEN_PATH = DEV_ISSUER_PATH + "/protocol/openid-connect/token"
CSRF_COOKIE = "idp_csrf"
_AUTH_FIELDS = ("response_type", "client_id", "redirect_uri", "state", "code_challenge",
                "code_challenge_method", "scope", "nonce")

PERSONA_CHOICES: tuple[dict[str, str], ...] = (
    {"kind": "citizen", "th": "ประชาชน (ผ่าน ThaiD)", "en": "Citizen (ThaiD)", "field": "citizen_id",
     "placeholder": "เลขประจำตัวประชาชน 13 หลัก", "example": "1101700230705",
     "hint": "Citizen ID, 13 digits"},
    {"kind": "registrar", "th": "เจ้าหน้าที่รับลงทะเบียน", "en": "Registrar", "field": "unit_code",
     "placeholder": "รหัสหน่วย เช่น 4701", "example": "4701",
     "hint": "Unit code: district (4 digits) or province centre (2)"},
    {"kind": "district_officer", "th": "เจ้าหน้าที่อำเภอ", "en": "District officer", "field": "unit_code",
     "placeholder": "รหัสอำเภอ 4 หลัก", "example": "4701", "hint": "District code, 4 digits"},
    {"kind": "province_officer", "th": "เจ้าหน้าที่จังหวัด", "en": "Province officer", "field": "unit_code",
     "placeholder": "รหัสจังหวัด 2 หลัก", "example": "47", "hint": "Province code, 2 digits"},
    {"kind": "dopa_admin", "th": "ผู้ดูแลระบบ กรมการปกครอง", "en": "DOPA administrator", "field": ""},
    {"kind": "auditor", "th": "ผู้ตรวจสอบ", "en": "Auditor", "field": ""},
)


def _token_error(exc: AuthorizationError, status_code: int = 400) -> JSONResponse:
    body = {"error": exc.error, "error_description": exc.en, "error_description_th": exc.th}
    return JSONResponse(body, status_code=status_code, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def build_router(settings: Settings, keys: KeyRing, codes: CodeStore, limits: SigninLimits,
                 links: DevThaidLinks) -> APIRouter:
    router = APIRouter(tags=["dev issuer"])
    issuer = settings.dev_issuer
    link = DevLinkAction(settings, codes, links)

    def page(request: Request, auth: AuthorizationRequest, csrf_cookie: str, status_code: int = 200,
             error: dict[str, str] | None = None) -> HTMLResponse:
        hidden = [(k, v) for k, v in (
            ("response_type", "code"), ("client_id", auth.client_id), ("redirect_uri", auth.redirect_uri),
            ("state", auth.state), ("code_challenge", auth.code_challenge), ("code_challenge_method", "S256"),
            ("scope", auth.scope), ("nonce", auth.nonce or ""),
        ) if v]
        response = render(request, "dev_signin.html", status_code=status_code, auth=auth, hidden=hidden,
                          personas=PERSONA_CHOICES, action=AUTH_PATH, error=error,
                          csrf=csrf_token(settings.session_key, csrf_cookie))
        set_cookie(response, CSRF_COOKIE, csrf_cookie, max_age=1800, path=DEV_ISSUER_PATH)
        target = urlsplit(auth.redirect_uri)  # already checked against the allowed redirect hosts
        response.headers["Content-Security-Policy"] = csp_with_form_target(f"{target.scheme}://{target.netloc}")
        return response

    def refused(request: Request, exc: AuthorizationError) -> HTMLResponse:
        return render(request, "error.html", status_code=400, th=exc.th, en=exc.en)

    @router.get(AUTH_PATH, response_class=HTMLResponse)
    def authorize_page(request: Request) -> Response:
        kc_action = request.query_params.get("kc_action")
        try:
            auth = parse_authorization_request(dict(request.query_params), settings.redirect_hosts)
            if kc_action is not None:
                check_action(kc_action)
        except AuthorizationError as exc:
            return refused(request, exc)  # never redirect an unverified request anywhere
        csrf_cookie = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        if kc_action is not None:
            response = link.page(request, auth, csrf_cookie)
            set_cookie(response, CSRF_COOKIE, csrf_cookie, max_age=1800, path=DEV_ISSUER_PATH)
            return response
        return page(request, auth, csrf_cookie)

    @router.post(AUTH_PATH, response_class=HTMLResponse)
    def authorize_submit(
        request: Request,
        persona_kind: Annotated[str, Form(max_length=32)] = "",
        kc_action: Annotated[str, Form(max_length=64)] = "",
        cancel: Annotated[str, Form(max_length=1)] = "",
        csrf: Annotated[str, Form()] = "",
        citizen_id: Annotated[str, Form()] = "",
        unit_code: Annotated[str, Form()] = "",
        response_type: Annotated[str, Form()] = "",
        client_id: Annotated[str, Form()] = "",
        redirect_uri: Annotated[str, Form()] = "",
        state: Annotated[str, Form()] = "",
        code_challenge: Annotated[str, Form()] = "",
        code_challenge_method: Annotated[str, Form()] = "",
        scope: Annotated[str, Form()] = "",
        nonce: Annotated[str, Form()] = "",
    ) -> Response:
        params = {"response_type": response_type, "client_id": client_id, "redirect_uri": redirect_uri,
                  "state": state, "code_challenge": code_challenge, "code_challenge_method": code_challenge_method,
                  "scope": scope, "nonce": nonce}
        try:
            auth = parse_authorization_request(params, settings.redirect_hosts)
        except AuthorizationError as exc:
            return refused(request, exc)
        cookie = request.cookies.get(CSRF_COOKIE)
        if not csrf_valid(settings.session_key, cookie, csrf):
            expired = {"th": "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาลองใหม่",
                       "en": "The form expired or is invalid (CSRF); please try again"}
            if kc_action:
                fresh = secrets.token_urlsafe(24)
                response = link.page(request, auth, fresh, 403, expired)
                set_cookie(response, CSRF_COOKIE, fresh, max_age=1800, path=DEV_ISSUER_PATH)
                return response
            return page(request, auth, secrets.token_urlsafe(24), 403, expired)
        linking = persona_kind == Role.CITIZEN or bool(kc_action)
        refusal = limits.refuse(request, citizen_id.strip() if linking and citizen_id.strip() else None)
        if refusal is not None:
            return refusal
        if kc_action:
            try:
                check_action(kc_action)
            except AuthorizationError as exc:
                return refused(request, exc)
            return link.submit(request, auth, cookie or "", citizen_id, cancel == "1")
        code_part = citizen_id if persona_kind == Role.CITIZEN else unit_code
        raw = f"{persona_kind}:{code_part.strip()}" if code_part.strip() else persona_kind
        try:
            persona = parse_persona(raw)
        except PersonaError as exc:
            error = {"th": "ข้อมูลบุคคลทดสอบไม่ถูกต้อง กรุณาตรวจสอบเลขประจำตัวหรือรหัสหน่วย", "en": str(exc)}
            return page(request, auth, cookie or secrets.token_urlsafe(24), 400, error)
        code = codes.issue(auth, raw)
        record_audit(request, Claims.from_token_payload(persona_claims(persona)), "session.signin",
                     target=auth.client_id)
        location = redirect_with(auth.redirect_uri, code=code, state=auth.state, iss=issuer)
        redirect = RedirectResponse(location, status_code=303)
        link.remember(redirect, raw)
        return redirect

    @router.post(TOKEN_PATH)
    def token(
        grant_type: Annotated[str, Form()] = "",
        code: Annotated[str, Form()] = "",
        redirect_uri: Annotated[str, Form()] = "",
        client_id: Annotated[str, Form()] = "",
        code_verifier: Annotated[str, Form()] = "",
    ) -> Response:
        if grant_type != "authorization_code":
            return _token_error(AuthorizationError(
                "unsupported_grant_type", "รองรับเฉพาะ authorization_code", "Only grant_type=authorization_code"))
        grant = codes.redeem(code)
        if grant is None:
            return _token_error(AuthorizationError(
                "invalid_grant", "รหัสไม่ถูกต้อง ถูกใช้ไปแล้ว หรือหมดอายุ", "Code is invalid, used or expired"))
        try:
            check_exchange(grant.request, client_id=client_id, redirect_uri=redirect_uri, code_verifier=code_verifier)
        except AuthorizationError as exc:
            return _token_error(exc)
        claims: dict[str, Any] = persona_claims(parse_persona(grant.persona))
        access = sign_access_token(claims, key=keys.current, issuer=issuer, audience=settings.oidc_audience,
                                   ttl_seconds=settings.token_ttl_seconds, azp=client_id)
        id_token = sign_id_token(claims, key=keys.current, issuer=issuer, client_id=client_id,
                                 ttl_seconds=settings.token_ttl_seconds, auth_time=grant.auth_time,
                                 nonce=grant.request.nonce)
        body = {"access_token": access, "id_token": id_token, "token_type": "Bearer",
                "expires_in": settings.token_ttl_seconds, "scope": grant.request.scope}
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    return router
