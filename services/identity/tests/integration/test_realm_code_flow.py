"""The realm's code flow on the real Keycloak: what the page apps rely on (ThaiD claims in the tokens, unit
claims for staff) and what the realm refuses (PKCE S256 only, exact redirect URIs, confidential clients)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

import httpx
import jwt
import pytest

from contracts.claims import Role, TokenVerifier, UnitKind
from infra.dev.browser import REDIRECTS, DevBrowser, code_flow_tokens, pkce_pair, query_of
from infra.dev.testing import KeycloakStack

pytestmark = pytest.mark.usefixtures("identity")  # it serves the ThaiD simulator that Keycloak brokers to


def site_callback(keycloak: KeycloakStack) -> str:
    return f"http://127.0.0.1:{keycloak.site_port}/auth/callback"


def auth_params(keycloak: KeycloakStack, challenge: str, **overrides: str) -> dict[str, str]:
    params = {"response_type": "code", "client_id": "debt-public", "redirect_uri": site_callback(keycloak),
              "state": secrets.token_urlsafe(8), "code_challenge": challenge, "code_challenge_method": "S256",
              "scope": "openid"}
    params.update(overrides)
    return params


def auth_url(issuer: str, params: dict[str, str]) -> str:
    return str(httpx.URL(f"{issuer}/protocol/openid-connect/auth", params=params))


def tokens_for(keycloak: KeycloakStack, persona: str, client_id: str, **kwargs: Any) -> dict[str, Any]:
    return code_flow_tokens(keycloak.issuer, persona, client_id=client_id,
                            client_secret=keycloak.secrets.clients[client_id],
                            redirect_uri=site_callback(keycloak), **kwargs)


def test_discovery_names_the_realm(keycloak_server: KeycloakStack) -> None:
    issuer = keycloak_server.issuer
    doc = httpx.get(f"{issuer}/.well-known/openid-configuration").json()
    assert doc["issuer"] == issuer
    assert doc["authorization_endpoint"] == f"{issuer}/protocol/openid-connect/auth"
    assert "S256" in doc["code_challenge_methods_supported"]


def test_citizen_signs_in_through_thaid_and_gets_its_claims(keycloak_server: KeycloakStack) -> None:
    issuer = keycloak_server.issuer
    tokens = tokens_for(keycloak_server, "citizen:1101700230708", "debt-public", nonce="n-123")
    claims = TokenVerifier(issuer, "debt-services").verify(tokens["access_token"])
    assert claims.roles == {Role.CITIZEN} and claims.citizen_id == "1101700230708"
    assert claims.given_name and claims.family_name and isinstance(claims.birthdate, date)
    id_token = _decode(issuer, tokens["id_token"], audience="debt-public")
    assert id_token["nonce"] == "n-123" and id_token["sub"] == claims.sub


def test_staff_sign_in_links_thaid_to_the_provisioned_account(keycloak_server: KeycloakStack) -> None:
    """First-broker-login finds the account whose username is the ThaiD citizen ID and links it: the token
    carries the unit and role provisioning gave, not a new citizen account's."""
    issuer = keycloak_server.issuer
    for _ in range(2):  # the first sign-in links, the second finds the link
        tokens = tokens_for(keycloak_server, "registrar:4701", "debt-staff")
        claims = TokenVerifier(issuer, "debt-services").verify(tokens["access_token"])
        assert (claims.roles, claims.unit_code, claims.unit_kind) == (
            {Role.REGISTRAR}, "4701", UnitKind.DISTRICT_OFFICE)
        assert claims.birthdate is None and claims.citizen_id is None  # staff tokens carry no personal data


def test_pkce_is_required_and_checked(keycloak_server: KeycloakStack) -> None:
    issuer = keycloak_server.issuer
    with DevBrowser() as browser:
        refused = browser.get(auth_url(issuer, auth_params(keycloak_server, "", code_challenge_method="")))
        assert refused.status_code in REDIRECTS
        assert query_of(refused.headers["location"]).get("error") == "invalid_request"
        _verifier, challenge = pkce_pair()
        params = auth_params(keycloak_server, challenge, code_challenge_method="plain")
        plain = browser.get(auth_url(issuer, params))
        assert query_of(plain.headers["location"]).get("error") == "invalid_request"
        params = auth_params(keycloak_server, challenge)
        answer = browser.sign_in_at_issuer(auth_url(issuer, params), "citizen:1101700230708")
        code = query_of(answer.headers["location"])["code"]
        other_verifier, _ = pkce_pair()
        exchange = browser.post(f"{issuer}/protocol/openid-connect/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": params["redirect_uri"],
            "code_verifier": other_verifier}, auth=("debt-public", keycloak_server.secrets.clients["debt-public"]))
    assert exchange.status_code == 400 and exchange.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("redirect", ["https://evil.example/auth/callback", "http://127.0.0.1:{port}/auth/other",
                                      "http://127.0.0.1:{port}/auth/callback/more"])
def test_only_the_exact_redirect_uris_are_accepted(keycloak_server: KeycloakStack, redirect: str) -> None:
    _, challenge = pkce_pair()
    url = redirect.format(port=keycloak_server.site_port)
    with DevBrowser() as browser:
        page = browser.get(auth_url(keycloak_server.issuer, auth_params(keycloak_server, challenge, redirect_uri=url)))
    assert page.status_code == 400 and "location" not in page.headers


def test_page_clients_are_confidential(keycloak_server: KeycloakStack) -> None:
    verifier, challenge = pkce_pair()
    params = auth_params(keycloak_server, challenge)
    with DevBrowser() as browser:
        answer = browser.sign_in_at_issuer(auth_url(keycloak_server.issuer, params), "citizen:1101700230708")
        code = query_of(answer.headers["location"])["code"]
        exchange = browser.post(f"{keycloak_server.issuer}/protocol/openid-connect/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": params["redirect_uri"],
            "client_id": "debt-public", "code_verifier": verifier})
    assert exchange.status_code == 401 and exchange.json()["error"] == "unauthorized_client"


def _decode(issuer: str, token: str, audience: str) -> dict[str, Any]:
    jwks = jwt.PyJWKClient(f"{issuer}/protocol/openid-connect/certs")
    payload: dict[str, Any] = jwt.decode(token, jwks.get_signing_key_from_jwt(token).key, algorithms=["RS256"],
                                         audience=audience, issuer=issuer)
    return payload
