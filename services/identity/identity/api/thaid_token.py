"""The ThaiD simulator's token endpoint (ENV=dev only; mounted by ``thaid_simulator``).

The client is Keycloak's ``thaid`` identity provider: a confidential client authenticated with
``client_secret_basic`` (``client_secret_post`` accepted too) against THAID_SIM_CLIENT_ID /
THAID_SIM_CLIENT_SECRET. With no secret configured every client is refused. The one-time code is bound
to the client and the redirect URI (and to a PKCE challenge when one was sent). The id_token carries
ThaiD's claims; the access token is opaque, as nothing in the realm reads it (userinfo is disabled).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from identity.adapters.code_store import CodeStore
from identity.adapters.signing_keys import KeyRing
from identity.domain.authorization import AuthorizationError, check_exchange
from identity.domain.thaid import (
    ID_TOKEN_CLAIMS,
    ClientAuthError,
    ThaidPerson,
    client_authenticated,
    client_credentials,
    id_token_claims,
    person_for,
)
from identity.domain.tokens import sign_id_token
from identity.settings import Settings

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(error: str, th: str, en: str, status_code: int = 400, headers: dict[str, str] | None = None
           ) -> JSONResponse:
    body = {"error": error, "error_description": en, "error_description_th": th}
    return JSONResponse(body, status_code=status_code, headers={**_NO_STORE, **(headers or {})})


def build_router(settings: Settings, keys: KeyRing, codes: CodeStore, people: Sequence[ThaidPerson], issuer: str,
                 path: str) -> APIRouter:
    router = APIRouter(tags=["dev ThaiD simulator"])

    @router.post(path)
    def token(
        request: Request,
        grant_type: Annotated[str, Form()] = "",
        code: Annotated[str, Form()] = "",
        redirect_uri: Annotated[str, Form()] = "",
        client_id: Annotated[str, Form()] = "",
        client_secret: Annotated[str, Form()] = "",
        code_verifier: Annotated[str, Form()] = "",
    ) -> Response:
        try:
            given = client_credentials(request.headers.get("authorization"),
                                       {"client_id": client_id, "client_secret": client_secret})
        except ClientAuthError as exc:
            return _error("invalid_request", "การยืนยันตัวตนของแอปพลิเคชันไม่ถูกรูปแบบ", str(exc))
        secret = settings.thaid_sim_client_secret
        # Before the code is looked at: an unauthenticated caller must not even use up a code.
        if given is None or not client_authenticated(given, settings.thaid_sim_client_id,
                                                     secret.get_secret_value() if secret else None):
            return _error("invalid_client", "ยืนยันตัวตนของแอปพลิเคชันไม่สำเร็จ", "Client authentication failed",
                          401, {"WWW-Authenticate": 'Basic realm="thaid-simulator"'})
        if grant_type != "authorization_code":
            return _error("unsupported_grant_type", "รองรับเฉพาะ authorization_code",
                          "Only grant_type=authorization_code")
        grant = codes.redeem(code)
        if grant is None:
            return _error("invalid_grant", "รหัสไม่ถูกต้อง ถูกใช้ไปแล้ว หรือหมดอายุ", "Code is invalid, used or expired")
        try:
            check_exchange(grant.request, client_id=given[0], redirect_uri=redirect_uri, code_verifier=code_verifier)
        except AuthorizationError as exc:
            return _error(exc.error, exc.th, exc.en)
        person = person_for(grant.citizen_id, people)
        id_token = sign_id_token(id_token_claims(person), key=keys.current, issuer=issuer, client_id=given[0],
                                 ttl_seconds=settings.token_ttl_seconds, auth_time=grant.auth_time,
                                 nonce=grant.request.nonce, claim_names=ID_TOKEN_CLAIMS)
        body = {"access_token": secrets.token_urlsafe(32), "id_token": id_token, "token_type": "Bearer",
                "expires_in": settings.token_ttl_seconds, "scope": grant.request.scope}
        return JSONResponse(body, headers=_NO_STORE)

    return router
