"""Signs the ThaiD simulator's id_tokens (ENV=dev)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import Any

import jwt

from identity.adapters.signing_keys import SigningKey


def sign_id_token(
    claims: dict[str, Any],
    *,
    key: SigningKey,
    issuer: str,
    client_id: str,
    ttl_seconds: int,
    auth_time: int,
    nonce: str | None,
    claim_names: Iterable[str],
) -> str:
    """``claim_names``: which of ``claims`` describe the person (ThaiD's own claim names)."""
    now = int(time.time())
    payload: dict[str, Any] = {k: claims[k] for k in claim_names if k in claims}
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
