"""The dev OIDC issuer stand-in: discovery, JWKS, the code flow and a token per dev persona. ENV=dev only.

Paths mirror Keycloak's (``/realms/debt/...``) so services switch to a real Keycloak by changing
OIDC_ISSUER_URL alone.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from contracts.settings import DEV_ISSUER_PATH
from identity.adapters.code_store import CodeStore
from identity.adapters.signing_keys import KeyRing
from identity.api import dev_authorize
from identity.devtools.thaid_links import DevThaidLinks
from identity.domain.personas import PersonaError, parse_persona, persona_claims
from identity.domain.tokens import sign_access_token
from identity.settings import Settings
from identity.web.limits import SigninLimits


class DevIssuerRefused(RuntimeError):
    pass


class TokenRequest(BaseModel):
    persona: str


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int


def build_router(settings: Settings, keys: KeyRing, limits: SigninLimits | None = None,
                 links: DevThaidLinks | None = None) -> APIRouter:
    if settings.env != "dev":
        raise DevIssuerRefused(f"the dev identity issuer runs only with ENV=dev (ENV={settings.env})")
    limits = limits or SigninLimits.create(settings.signin_limit_per_address, settings.signin_limit_per_citizen,
                                           settings.signin_limit_window_seconds)
    router = APIRouter(tags=["dev issuer"])
    codes = CodeStore(settings.auth_code_ttl_seconds)
    router.include_router(dev_authorize.build_router(settings, keys, codes, limits, links or DevThaidLinks()))
    issuer = settings.dev_issuer

    @router.get(DEV_ISSUER_PATH + "/.well-known/openid-configuration")
    def discovery() -> dict[str, Any]:
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/protocol/openid-connect/auth",
            "token_endpoint": f"{issuer}/protocol/openid-connect/token",
            "jwks_uri": f"{issuer}/protocol/openid-connect/certs",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["openid", "profile"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "given_name",
                                 "family_name", "birthdate", "citizen_id", "unit_code", "unit_kind", "realm_access"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "authorization_response_iss_parameter_supported": True,
        }

    @router.get(DEV_ISSUER_PATH + "/protocol/openid-connect/certs")
    def certs() -> dict[str, Any]:
        return keys.jwks()

    @router.post("/dev/token", response_model=TokenResponse)
    def dev_token(body: TokenRequest, request: Request) -> TokenResponse:
        try:
            persona = parse_persona(body.persona)
        except PersonaError as exc:
            raise HTTPException(422, detail={"th": "รูปแบบบุคคลทดสอบไม่ถูกต้อง", "en": str(exc)}) from None
        token = sign_access_token(
            persona_claims(persona),
            key=keys.current,
            issuer=issuer,
            audience=settings.oidc_audience,
            ttl_seconds=settings.token_ttl_seconds,
        )
        return TokenResponse(access_token=token, expires_in=settings.token_ttl_seconds)

    return router
