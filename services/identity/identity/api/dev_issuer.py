"""The dev OIDC issuer stand-in: discovery, JWKS and a token per dev persona. ENV=dev only.

Paths mirror Keycloak's (``/realms/debt/...``) so services switch to a real Keycloak by changing
OIDC_ISSUER_URL alone.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from contracts.settings import DEV_ISSUER_PATH
from identity.adapters.signing_keys import KeyRing
from identity.domain.personas import PersonaError, parse_persona, persona_claims
from identity.domain.tokens import sign_access_token
from identity.settings import Settings


class DevIssuerRefused(RuntimeError):
    pass


class TokenRequest(BaseModel):
    persona: str


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int


def build_router(settings: Settings, keys: KeyRing) -> APIRouter:
    if settings.env != "dev":
        raise DevIssuerRefused(f"the dev identity issuer runs only with ENV=dev (ENV={settings.env})")
    router = APIRouter(tags=["dev issuer"])
    issuer = settings.dev_issuer

    @router.get(DEV_ISSUER_PATH + "/.well-known/openid-configuration")
    def discovery() -> dict[str, Any]:
        return {
            "issuer": issuer,
            "jwks_uri": f"{issuer}/protocol/openid-connect/certs",
            "token_endpoint": f"{settings.public_url.rstrip('/')}/dev/token",
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
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
