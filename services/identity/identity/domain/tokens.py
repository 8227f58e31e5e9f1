"""Signs tokens with the production claim shape (used only by the dev issuer)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt

from identity.adapters.signing_keys import SigningKey

# Claims a Keycloak id_token carries about the person; roles and units stay in the access token.
_ID_TOKEN_CLAIMS = ("given_name", "family_name", "name", "title", "birthdate", "citizen_id", "preferred_username")


def sign_access_token(
    claims: dict[str, Any],
    *,
    key: SigningKey,
    issuer: str,
    audience: str,
    ttl_seconds: int,
    azp: str = "debt-dev",
) -> str:
    now = int(time.time())
    payload = {
        **claims,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": str(uuid.uuid4()),
        "typ": "Bearer",
        "azp": azp,
    }
    return jwt.encode(payload, key.private, algorithm="RS256", headers={"kid": key.kid})


def sign_id_token(
    claims: dict[str, Any],
    *,
    key: SigningKey,
    issuer: str,
    client_id: str,
    ttl_seconds: int,
    auth_time: int,
    nonce: str | None,
) -> str:
    now = int(time.time())
    payload: dict[str, Any] = {k: claims[k] for k in _ID_TOKEN_CLAIMS if k in claims}
    payload.update({
        "sub": claims["sub"],
        "iss": issuer,
        "aud": client_id,
        "azp": client_id,
        "iat": now,
        "exp": now + ttl_seconds,
        "auth_time": auth_time,
        "jti": str(uuid.uuid4()),
        "typ": "ID",
    })
    if nonce is not None:
        payload["nonce"] = nonce
    return jwt.encode(payload, key.private, algorithm="RS256", headers={"kid": key.kid})
