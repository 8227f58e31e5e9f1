"""The ThaiD simulator (ENV=dev only): DOPA's ThaiD is the one part nobody can run, so identity plays it,
and the dev realm's ``thaid`` identity provider brokers to it exactly as production brokers to ThaiD.

Paths mirror ThaiD's (``/api/v2/oauth2/auth/``, ``/api/v2/oauth2/token/``) under ``{public_url}/dev/thaid``,
which is also the issuer. GET …/auth shows the person page (a listed dev person, or any valid citizen ID
with a made-up name); POST …/auth (CSRF-checked, rate-limited, audited) redirects back with a one-time
code; the token endpoint (``thaid_token``) trades it for an id_token of ThaiD's claim shape. There are
no passwords: whoever reaches this page may be anyone, which is why it refuses to exist outside dev.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.claims import Claims
from contracts.web import CSP_WITHOUT_FORM_ACTION, csrf_token, csrf_valid
from identity.adapters.code_store import CodeStore
from identity.adapters.signing_keys import KeyRing
from identity.api import thaid_token
from identity.api.deps import record_audit
from identity.domain import citizen_id as cid
from identity.domain.authorization import (
    AuthorizationError,
    AuthorizationRequest,
    parse_authorization_request,
    redirect_with,
)
from identity.domain.thaid import ID_TOKEN_CLAIMS, SCOPES, ThaidPerson, parse_people, person_for, subject
from identity.settings import Settings
from identity.web.limits import SigninLimits
from identity.web.pages import render, set_cookie

THAID_PATH = "/dev/thaid"
AUTH_PATH = THAID_PATH + "/api/v2/oauth2/auth/"
TOKEN_PATH = THAID_PATH + "/api/v2/oauth2/token/"
JWKS_PATH = THAID_PATH + "/jwks"
CSRF_COOKIE = "thaid_csrf"
AUDIT_ACTION = "thaid.signin"
_EXPIRED = {"th": "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาลองใหม่", "en": "The form expired or is invalid (CSRF); please try again"}
_BAD_ID = {"th": "เลขประจำตัวประชาชนไม่ถูกต้อง ต้องมี 13 หลักและเลขตรวจสอบถูกต้อง",
           "en": "Not a valid citizen ID: 13 digits with a correct check digit"}


class ThaidSimulatorRefused(RuntimeError):
    pass


def load_people(path: Path | None) -> tuple[ThaidPerson, ...]:
    """The listed dev people; a missing or malformed file stops the app at start (a configuration error)."""
    if path is None:
        return ()
    return parse_people(json.loads(path.read_text(encoding="utf-8")))


def issuer_of(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + THAID_PATH


def build_router(settings: Settings, keys: KeyRing, limits: SigninLimits | None = None) -> APIRouter:
    if settings.env != "dev":
        raise ThaidSimulatorRefused(f"the ThaiD simulator runs only with ENV=dev (ENV={settings.env})")
    limits = limits or SigninLimits.create(settings.signin_limit_per_address, settings.signin_limit_per_citizen,
                                           settings.signin_limit_window_seconds)
    people = load_people(settings.thaid_sim_people_file)
    codes = CodeStore(settings.auth_code_ttl_seconds)
    issuer = issuer_of(settings)
    router = APIRouter(tags=["dev ThaiD simulator"])
    router.include_router(thaid_token.build_router(settings, keys, codes, people, issuer, TOKEN_PATH))

    def parse(params: dict[str, str]) -> AuthorizationRequest:
        # Keycloak's broker is a confidential client and sends no PKCE; a challenge that is sent is enforced.
        return parse_authorization_request(params, settings.redirect_hosts, clients={settings.thaid_sim_client_id},
                                           pkce_required=False)

    def page(request: Request, auth: AuthorizationRequest, csrf_cookie: str, status_code: int = 200,
             error: dict[str, str] | None = None, typed: str = "") -> HTMLResponse:
        hidden = [(k, v) for k, v in (
            ("response_type", "code"), ("client_id", auth.client_id), ("redirect_uri", auth.redirect_uri),
            ("state", auth.state), ("scope", auth.scope), ("nonce", auth.nonce or ""),
            ("code_challenge", auth.code_challenge), ("code_challenge_method", "S256" if auth.code_challenge else ""),
        ) if v]
        target = urlsplit(auth.redirect_uri)  # already checked against the allowed redirect hosts
        origin = f"{target.scheme}://{target.netloc}"
        response = render(request, "thaid_signin.html", status_code=status_code, auth=auth, hidden=hidden,
                          people=people, action=AUTH_PATH, error=error, typed=typed[:32], redirect_origin=origin,
                          csrf=csrf_token(settings.session_key, csrf_cookie))
        set_cookie(response, CSRF_COOKIE, csrf_cookie, max_age=1800, path=THAID_PATH)
        # The form's answer redirects to the broker, and Keycloak redirects on to its client: browsers apply
        # form-action to every hop of that chain, which no list of origins here can name (Keycloak's own
        # sign-in pages set no form-action for the same reason).
        response.headers["Content-Security-Policy"] = CSP_WITHOUT_FORM_ACTION
        return response

    def refused(request: Request, exc: AuthorizationError) -> HTMLResponse:
        return render(request, "error.html", status_code=400, th=exc.th, en=exc.en)

    @router.get(THAID_PATH + "/.well-known/openid-configuration")
    def discovery() -> dict[str, Any]:
        return {
            "issuer": issuer,
            "authorization_endpoint": issuer + AUTH_PATH.removeprefix(THAID_PATH),
            "token_endpoint": issuer + TOKEN_PATH.removeprefix(THAID_PATH),
            "jwks_uri": issuer + JWKS_PATH.removeprefix(THAID_PATH),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": list(SCOPES),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", *ID_TOKEN_CLAIMS],
            "authorization_response_iss_parameter_supported": True,
        }

    @router.get(JWKS_PATH)
    def jwks() -> dict[str, Any]:
        return keys.jwks()

    @router.get(AUTH_PATH, response_class=HTMLResponse)
    def authorize_page(request: Request) -> Response:
        try:
            auth = parse(dict(request.query_params))
        except AuthorizationError as exc:
            return refused(request, exc)  # never redirect an unverified request anywhere
        return page(request, auth, request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24))

    @router.post(AUTH_PATH, response_class=HTMLResponse)
    def authorize_submit(
        request: Request,
        csrf: Annotated[str, Form()] = "",
        citizen_id: Annotated[str, Form()] = "",
        cancel: Annotated[str, Form()] = "",
        response_type: Annotated[str, Form()] = "",
        client_id: Annotated[str, Form()] = "",
        redirect_uri: Annotated[str, Form()] = "",
        state: Annotated[str, Form()] = "",
        scope: Annotated[str, Form()] = "",
        nonce: Annotated[str, Form()] = "",
        code_challenge: Annotated[str, Form()] = "",
        code_challenge_method: Annotated[str, Form()] = "",
    ) -> Response:
        try:
            auth = parse({"response_type": response_type, "client_id": client_id, "redirect_uri": redirect_uri,
                          "state": state, "scope": scope, "nonce": nonce, "code_challenge": code_challenge,
                          "code_challenge_method": code_challenge_method})
        except AuthorizationError as exc:
            return refused(request, exc)
        cookie = request.cookies.get(CSRF_COOKIE)
        if not csrf_valid(settings.session_key, cookie, csrf):
            return page(request, auth, secrets.token_urlsafe(24), 403, _EXPIRED)
        if cancel:
            # What ThaiD answers when the person declines: the broker shows its own sign-in page again.
            location = redirect_with(auth.redirect_uri, error="access_denied", state=auth.state, iss=issuer)
            return RedirectResponse(location, status_code=303)
        pid = cid.normalise(citizen_id)
        # Limited before the ID is checked, so the page cannot be used to try IDs quickly.
        refusal = limits.refuse(request, pid if cid.is_valid(pid) else None)
        if refusal is not None:
            return refusal
        if not cid.is_valid(pid):
            return page(request, auth, cookie or secrets.token_urlsafe(24), 400, _BAD_ID, typed=citizen_id)
        person = person_for(pid, people)
        code = codes.issue(auth, person.citizen_id)
        # The actor is ThaiD's opaque subject and the target the broker client: never the citizen ID.
        record_audit(request, Claims(sub=subject(person.citizen_id)), AUDIT_ACTION, target=auth.client_id)
        location = redirect_with(auth.redirect_uri, code=code, state=auth.state, iss=issuer)
        return RedirectResponse(location, status_code=303)

    return router
