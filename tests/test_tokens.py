"""Every service verifies tokens the same way: discovery → JWKS, signature, issuer, audience, expiry."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import jwt
import pytest

from contracts.claims import Role, TokenError, TokenVerifier, UnitKind
from infra.dev.testing import RunningService

if TYPE_CHECKING:
    from identity.adapters.signing_keys import KeyRing


def test_dev_issuer_token_verifies_with_production_claim_shape(
    issuer_url: str, token_for: Callable[[str], str]
) -> None:
    verifier = TokenVerifier(issuer_url, "debt-services")
    citizen = verifier.verify(token_for("citizen:1101700230705"))
    assert citizen.roles == {Role.CITIZEN} and citizen.citizen_id == "1101700230705"
    officer = verifier.verify(token_for("province_officer:47"))
    assert (officer.roles, officer.unit_code, officer.unit_kind) == ({Role.PROVINCE_OFFICER}, "47", UnitKind.PROVINCE)
    khet = verifier.verify(token_for("registrar:1001"))
    assert khet.unit_kind is UnitKind.BANGKOK_DISTRICT_OFFICE


def test_wrong_audience_issuer_or_tampering_is_refused(issuer_url: str, token_for: Callable[[str], str]) -> None:
    token = token_for("dopa_admin")
    with pytest.raises(TokenError):
        TokenVerifier(issuer_url, "another-audience").verify(token)
    with pytest.raises(TokenError):
        TokenVerifier(issuer_url.replace("/realms/debt", "/realms/debt/"), "debt-services").verify(token + "x")
    header, _payload, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(b'{"sub":"x","aud":"debt-services"}').decode()
    with pytest.raises(TokenError):
        TokenVerifier(issuer_url, "debt-services").verify(f"{header}.{forged_payload}.{signature}")


def test_expired_token_is_refused(identity: RunningService, issuer_url: str) -> None:
    from identity.domain.tokens import sign_access_token

    keys = _keyring(identity)
    expired = sign_access_token({"sub": "s"}, key=keys.current, issuer=issuer_url, audience="debt-services",
                                ttl_seconds=-120)
    with pytest.raises(TokenError, match="expired"):
        TokenVerifier(issuer_url, "debt-services").verify(expired)


def test_key_rotation_needs_no_restart(identity: RunningService, issuer_url: str,
                                      token_for: Callable[[str], str]) -> None:
    from identity.domain.tokens import sign_access_token

    verifier = TokenVerifier(issuer_url, "debt-services", refresh_cooldown=0)
    old_token = token_for("auditor")
    assert verifier.verify(old_token).roles == {Role.AUDITOR}
    keys = _keyring(identity)
    new_key = keys.rotate()
    new_token = sign_access_token({"sub": "after-rotation", "iat": int(time.time())}, key=new_key,
                                  issuer=issuer_url, audience="debt-services", ttl_seconds=60)
    assert verifier.verify(new_token).sub == "after-rotation"  # unknown kid → JWKS refetched
    assert verifier.verify(old_token).roles == {Role.AUDITOR}  # old key still published


def _keyring(identity: RunningService) -> KeyRing:
    keys: KeyRing = identity.app.state.signing_keys
    return keys
