"""Signs access tokens with the production claim shape (used only by the dev issuer)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt

from identity.adapters.signing_keys import SigningKey


def sign_access_token(
    claims: dict[str, Any], *, key: SigningKey, issuer: str, audience: str, ttl_seconds: int
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
        "azp": "debt-dev",
    }
    return jwt.encode(payload, key.private, algorithm="RS256", headers={"kid": key.kid})
