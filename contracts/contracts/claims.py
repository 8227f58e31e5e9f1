"""The access-token claims every service reads, and the one way tokens are verified.

Tokens come from Keycloak (ThaiD brokered for citizens) in production and from the identity
service's dev issuer locally; both have the shape below. Verification: OIDC discovery, then the
JWKS (refetched when a token names an unknown key, so key rotation needs no restart), signature,
issuer, audience and expiry.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, field_validator

from contracts.citizen_id import is_valid as citizen_id_is_valid


class Role(StrEnum):
    CITIZEN = "citizen"
    REGISTRAR = "registrar"
    DISTRICT_OFFICER = "district_officer"
    PROVINCE_OFFICER = "province_officer"
    DOPA_ADMIN = "dopa_admin"
    AUDITOR = "auditor"


class UnitKind(StrEnum):
    DISTRICT_OFFICE = "district_office"
    BANGKOK_DISTRICT_OFFICE = "bangkok_district_office"
    PROVINCE_CENTRE = "province_centre"
    PROVINCE = "province"
    NATION = "nation"


class Claims(BaseModel):
    """What a service may rely on in a verified token (documented in docs/token-claims.md)."""

    sub: str
    roles: frozenset[Role] = Field(default_factory=frozenset)
    citizen_id: str | None = Field(default=None, pattern=r"^[0-9]{13}$")
    unit_code: str | None = Field(default=None, pattern=r"^[0-9]{2,8}$")
    unit_kind: UnitKind | None = None
    given_name: str | None = None
    family_name: str | None = None
    birthdate: date | None = None  # citizens only (ThaiD's ``birthdate``, ISO date)
    client_id: str | None = None  # the OAuth client the token was issued to (``azp``): names a service account

    @field_validator("citizen_id")
    @classmethod
    def _citizen_id_checksum(cls, value: str | None) -> str | None:
        # A ThaiD pid is checked like one typed at a desk: a wrong check digit is not a person.
        if value is not None and not citizen_id_is_valid(value):
            raise ValueError("citizen_id fails the check-digit rule")
        return value

    @classmethod
    def from_token_payload(cls, payload: dict[str, Any]) -> Claims:
        known = {r.value for r in Role}
        raw_roles = (payload.get("realm_access") or {}).get("roles", [])
        return cls(
            sub=payload["sub"],
            roles=frozenset(Role(r) for r in raw_roles if r in known),
            citizen_id=payload.get("citizen_id"),
            unit_code=payload.get("unit_code"),
            unit_kind=payload.get("unit_kind"),
            given_name=payload.get("given_name"),
            family_name=payload.get("family_name"),
            birthdate=payload.get("birthdate"),
            client_id=payload.get("azp"),
        )

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


class TokenError(Exception):
    """The token cannot be trusted; the message is safe to show."""


VERIFIED_CACHE_SIZE = 10_000
# What Keycloak signs with (realm default RS256; ES256 if the realm's key is switched to EC). Anything else in
# a token's header is refused before any key is looked at.
ALGORITHMS = frozenset({"RS256", "ES256"})
EMBEDDED_KEY_HEADERS = frozenset({"jwk", "jku", "x5u", "x5c"})


class TokenVerifier:
    def __init__(
        self, issuer_url: str, audience: str, *, timeout: float = 5.0, leeway: int = 30, refresh_cooldown: float = 30
    ) -> None:
        self.issuer = issuer_url.rstrip("/")
        self.audience = audience
        self._timeout = timeout
        self._leeway = leeway
        # An unknown key id forces a JWKS refetch at most this often, so forged kids cannot flood the IdP.
        self._refresh_cooldown = refresh_cooldown
        self._jwks: jwt.PyJWKClient | None = None
        # Desk staff send the same token with every registration; re-checking an RSA signature each
        # time is wasted work. Keyed by the whole token, so only an identical, verified token hits.
        self._verified: OrderedDict[str, tuple[Claims, float]] = OrderedDict()
        self._lock = threading.Lock()

    def discovery(self) -> dict[str, Any]:
        url = f"{self.issuer}/.well-known/openid-configuration"
        response = httpx.get(url, timeout=self._timeout)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    def _jwks_client(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._jwks is None:
                jwks_uri = self.discovery()["jwks_uri"]
                self._jwks = jwt.PyJWKClient(
                    jwks_uri, lifespan=300, timeout=int(self._timeout), cooldown_duration=self._refresh_cooldown
                )
            return self._jwks

    def already_verified(self, token: str) -> Claims | None:
        cached = self._verified.get(token)
        return cached[0] if cached is not None and time.time() < cached[1] else None

    def verify(self, token: str) -> Claims:
        """Verified claims; a token seen before is answered from a small cache until it expires."""
        known = self.already_verified(token)
        if known is not None:
            return known
        claims, expires = self._verify(token)
        with self._lock:
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                self._verified.popitem(last=False)
            self._verified[token] = (claims, expires)
        return claims

    def _signing_key(self, token: str) -> jwt.PyJWK:
        """The issuer's key for ``token``, after refusing any header we would not have produced: an algorithm
        outside ``ALGORITHMS`` (none, HS*, PS*, EdDSA…), an algorithm other than the key's own (an RSA key used
        as an HMAC secret, an ES256 header on an RSA key), or a key or key location carried by the token itself
        (jwk, jku, x5u, x5c), which must never be trusted."""
        header = jwt.get_unverified_header(token)
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in ALGORITHMS:
            raise TokenError(f"algorithm not accepted: {str(alg)[:20]!r}")
        embedded = sorted(EMBEDDED_KEY_HEADERS.intersection(header))
        if embedded or header.get("crit"):
            raise TokenError(f"header not accepted: {', '.join(embedded) or 'crit'}")
        key = self._jwks_client().get_signing_key_from_jwt(token)
        if key.algorithm_name != alg:
            raise TokenError(f"algorithm {alg} does not match the issuer's key ({key.algorithm_name})")
        return key

    def _decode(self, token: str, audience: str) -> dict[str, Any]:
        try:
            key = self._signing_key(token)
            payload: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=[key.algorithm_name], audience=audience, issuer=self.issuer,
                leeway=self._leeway, options={"require": ["exp", "iat", "iss", "sub", "aud"]},
            )
        except TokenError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever PyJWT, cryptography or httpx raise on a forged token
            raise TokenError(f"{type(exc).__name__}: {exc}"[:200]) from None
        return payload

    def _verify(self, token: str) -> tuple[Claims, float]:
        payload = self._decode(token, self.audience)
        try:
            return Claims.from_token_payload(payload), float(payload["exp"])
        except (ValueError, TypeError, AttributeError, KeyError) as exc:  # a forged claim of the wrong type
            raise TokenError(f"{type(exc).__name__}: {exc}"[:200]) from None

    def verify_id_token(self, token: str, client_id: str, nonce: str | None) -> dict[str, Any]:
        """An OIDC id token for ``client_id`` (a web client's sign-in), checked like access tokens
        plus the ``nonce`` the client sent; returns its payload."""
        payload = self._decode(token, client_id)
        if nonce is not None and payload.get("nonce") != nonce:
            raise TokenError("id token nonce does not match")
        return payload


_bearer = HTTPBearer(auto_error=False)
UNAUTHENTICATED = {"code": "auth.required", "th": "กรุณาเข้าสู่ระบบ", "en": "Sign-in required"}
INVALID_TOKEN = {"code": "auth.invalid_token", "th": "โทเคนไม่ถูกต้องหรือหมดอายุ กรุณาเข้าสู่ระบบใหม่",
                 "en": "Invalid or expired token; sign in again"}


async def require_claims(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Claims:
    """FastAPI dependency: the verified claims, or 401. Expects ``app.state.token_verifier``.

    Async so a token verified before costs no thread hop; a new one is verified in the thread pool
    because that may fetch the JWKS over the network.
    """
    if credentials is None:
        raise HTTPException(401, detail=UNAUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    verifier: TokenVerifier = request.app.state.token_verifier
    known = verifier.already_verified(credentials.credentials)
    if known is not None:
        return known
    try:
        return await run_in_threadpool(verifier.verify, credentials.credentials)
    except TokenError:
        raise HTTPException(401, detail=INVALID_TOKEN, headers={"WWW-Authenticate": "Bearer"}) from None


CurrentClaims = Annotated[Claims, Depends(require_claims)]
