"""Every service verifies tokens the same way: discovery → JWKS, signature, issuer, audience, expiry."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, tzinfo

import jwt
import pytest
from keycloak import KeycloakAdmin

from contracts.claims import Role, TokenError, TokenVerifier, UnitKind
from infra.dev.realm import TEST_ADMIN_CLIENT_ID
from infra.dev.testing import KeycloakStack


def test_keycloak_token_verifies_with_production_claim_shape(
    issuer_url: str, token_for: Callable[[str], str]
) -> None:
    verifier = TokenVerifier(issuer_url, "debt-services")
    citizen = verifier.verify(token_for("citizen:1101700230708"))
    assert citizen.roles == {Role.CITIZEN} and citizen.citizen_id == "1101700230708"
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


def test_expired_token_is_refused(issuer_url: str, token_for: Callable[[str], str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    token = token_for("auditor")
    verifier = TokenVerifier(issuer_url, "debt-services")
    verifier.discovery()  # fetched before the clock jumps
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]

    class Later(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Later:
            return cls.fromtimestamp(expires + 120, tz)  # past expiry and the 30 s leeway

    monkeypatch.setattr(jwt.api_jwt, "datetime", Later)
    with pytest.raises(TokenError, match="expired"):
        verifier.verify(token)


def test_key_rotation_needs_no_restart(keycloak_server: KeycloakStack, issuer_url: str,
                                      token_for: Callable[[str], str]) -> None:
    verifier = TokenVerifier(issuer_url, "debt-services", refresh_cooldown=0)
    old_token = token_for("auditor")
    assert verifier.verify(old_token).roles == {Role.AUDITOR}
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    admin = KeycloakAdmin(server_url=keycloak_server.url + "/", realm_name="debt", client_id=TEST_ADMIN_CLIENT_ID,
                          client_secret_key=keycloak_server.secrets.clients[TEST_ADMIN_CLIENT_ID])
    realm_id = admin.get_realm("debt")["id"]
    admin.create_component({"name": "rotated", "providerId": "rsa-generated", "providerType":
                            "org.keycloak.keys.KeyProvider", "parentId": realm_id,
                            "config": {"priority": [str(int(time.time()))], "keySize": ["2048"]}})
    new_token = keycloak_server.accounts.token("province_officer:10", fresh=True)
    assert jwt.get_unverified_header(new_token)["kid"] != old_kid
    assert verifier.verify(new_token).roles == {Role.PROVINCE_OFFICER}  # unknown kid → JWKS refetched
    assert verifier.verify(old_token).roles == {Role.AUDITOR}  # old key still published
