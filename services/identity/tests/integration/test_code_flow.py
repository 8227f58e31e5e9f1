"""The dev issuer's authorization-code flow with PKCE, as a browser and a client use it."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

import httpx
import jwt
import pytest

from contracts.claims import Role, TokenVerifier, UnitKind
from infra.dev.browser import DevBrowser, code_flow_tokens, csrf_in, pkce_pair, query_of

REDIRECT = "http://127.0.0.1:9/callback"


def auth_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {"response_type": "code", "client_id": "debt-public", "redirect_uri": REDIRECT,
              "state": secrets.token_urlsafe(8), "code_challenge": challenge, "code_challenge_method": "S256",
              "scope": "openid"}
    params.update(overrides)
    return params


def auth_url(issuer: str, params: dict[str, str]) -> str:
    return str(httpx.URL(f"{issuer}/protocol/openid-connect/auth", params=params))


def get_code(browser: DevBrowser, issuer: str, persona: str, params: dict[str, str]) -> str:
    answer = browser.sign_in_at_issuer(auth_url(issuer, params), persona)
    assert answer.status_code == 303, answer.text
    back = query_of(answer.headers["location"])
    assert back["state"] == params["state"] and back["iss"] == issuer
    assert answer.headers["location"].startswith(params["redirect_uri"] + "?")
    return back["code"]


def exchange(browser: DevBrowser, issuer: str, code: str, verifier: str, **overrides: str) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": "debt-public", "code_verifier": verifier, **overrides}
    return browser.post(f"{issuer}/protocol/openid-connect/token", data=form)


def test_discovery_advertises_keycloak_paths(issuer_url: str) -> None:
    doc = httpx.get(f"{issuer_url}/.well-known/openid-configuration").json()
    assert doc["authorization_endpoint"] == f"{issuer_url}/protocol/openid-connect/auth"
    assert doc["token_endpoint"] == f"{issuer_url}/protocol/openid-connect/token"
    assert doc["code_challenge_methods_supported"] == ["S256"]


def test_citizen_signs_in_and_gets_verifiable_tokens_with_names_and_birthdate(issuer_url: str) -> None:
    tokens = code_flow_tokens(issuer_url, "citizen:1101700230705", nonce="n-123")
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] > 0
    claims = TokenVerifier(issuer_url, "debt-services").verify(tokens["access_token"])
    assert claims.roles == {Role.CITIZEN} and claims.citizen_id == "1101700230705"
    assert claims.given_name and claims.family_name and isinstance(claims.birthdate, date)
    again = TokenVerifier(issuer_url, "debt-services").verify(code_flow_tokens(issuer_url, "citizen:1101700230705")
                                                              ["access_token"])
    assert (again.given_name, again.family_name, again.birthdate) == (
        claims.given_name, claims.family_name, claims.birthdate)  # deterministic from the citizen ID
    id_token = _decode(issuer_url, tokens["id_token"], audience="debt-public")
    assert id_token["nonce"] == "n-123" and id_token["citizen_id"] == "1101700230705"
    assert id_token["sub"] == claims.sub and "realm_access" not in id_token


def test_staff_persona_through_the_staff_client(issuer_url: str) -> None:
    tokens = code_flow_tokens(issuer_url, "registrar:4701", client_id="debt-staff")
    claims = TokenVerifier(issuer_url, "debt-services").verify(tokens["access_token"])
    assert (claims.roles, claims.unit_code, claims.unit_kind) == ({Role.REGISTRAR}, "4701", UnitKind.DISTRICT_OFFICE)
    assert claims.birthdate is None and claims.citizen_id is None


def test_pkce_mismatch_is_refused(issuer_url: str) -> None:
    _verifier, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()
    with DevBrowser() as browser:
        code = get_code(browser, issuer_url, "auditor", auth_params(challenge))
        answer = exchange(browser, issuer_url, code, other_verifier)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_a_code_works_once(issuer_url: str) -> None:
    verifier, challenge = pkce_pair()
    with DevBrowser() as browser:
        code = get_code(browser, issuer_url, "dopa_admin", auth_params(challenge))
        assert exchange(browser, issuer_url, code, verifier).status_code == 200
        replay = exchange(browser, issuer_url, code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


def test_a_failed_exchange_burns_the_code(issuer_url: str) -> None:
    verifier, challenge = pkce_pair()
    with DevBrowser() as browser:
        code = get_code(browser, issuer_url, "auditor", auth_params(challenge))
        assert exchange(browser, issuer_url, code, verifier, client_id="debt-staff").status_code == 400
        assert exchange(browser, issuer_url, code, verifier).status_code == 400


@pytest.mark.parametrize("override", [{"redirect_uri": "http://127.0.0.1:9/elsewhere"},
                                      {"client_id": "debt-staff"}])
def test_token_request_must_match_the_grant(issuer_url: str, override: dict[str, str]) -> None:
    verifier, challenge = pkce_pair()
    with DevBrowser() as browser:
        code = get_code(browser, issuer_url, "auditor", auth_params(challenge))
        answer = exchange(browser, issuer_url, code, verifier, **override)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("override", [
    {"redirect_uri": "https://evil.example/callback"},
    {"redirect_uri": "http://127.0.0.1.evil.example/callback"},
    {"redirect_uri": "http://user@127.0.0.1:9/callback"},
    {"client_id": "debt-registration"},
    {"code_challenge_method": "plain"},
    {"code_challenge": ""},
    {"response_type": "token"},
    {"state": ""},
])
def test_bad_authorization_requests_get_an_error_page_and_no_redirect(issuer_url: str,
                                                                     override: dict[str, str]) -> None:
    _, challenge = pkce_pair()
    with DevBrowser() as browser:
        page = browser.get(auth_url(issuer_url, auth_params(challenge, **override)))
    assert page.status_code == 400 and "location" not in page.headers
    assert "ไม่" in page.text or "ต้อง" in page.text  # a Thai explanation first


def test_localhost_redirects_on_any_port_are_allowed(issuer_url: str) -> None:
    _, challenge = pkce_pair()
    with DevBrowser() as browser:
        page = browser.get(auth_url(issuer_url, auth_params(challenge, redirect_uri="http://localhost:5173/cb")))
    assert page.status_code == 200 and "เข้าสู่ระบบ" in page.text


def test_sign_in_form_needs_its_csrf_token_and_sets_secure_cookies(issuer_url: str) -> None:
    _, challenge = pkce_pair()
    params = auth_params(challenge)
    with DevBrowser() as browser:
        page = browser.get(auth_url(issuer_url, params))
        cookie = page.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        form: dict[str, Any] = {**params, "persona_kind": "auditor", "csrf": "forged"}
        forged = browser.post(f"{issuer_url}/protocol/openid-connect/auth", data=form)
        assert forged.status_code == 403 and "location" not in forged.headers
        with DevBrowser() as stranger:  # the right token without the cookie it belongs to
            form["csrf"] = csrf_in(page.text)
            assert stranger.post(f"{issuer_url}/protocol/openid-connect/auth", data=form).status_code == 403


def test_bad_persona_code_is_explained_in_thai(issuer_url: str) -> None:
    _, challenge = pkce_pair()
    with DevBrowser() as browser:
        answer = browser.sign_in_at_issuer(auth_url(issuer_url, auth_params(challenge)), "province_officer:4701")
    assert answer.status_code == 400 and "รหัสหน่วย" in answer.text


def test_expired_code_is_refused() -> None:
    from identity.adapters.code_store import CodeStore
    from identity.domain.authorization import AuthorizationRequest

    now = [100.0]
    store = CodeStore(ttl=60, clock=lambda: now[0])
    code = store.issue(AuthorizationRequest("debt-public", REDIRECT, "s", "c" * 43, "openid"), "auditor")
    now[0] += 61
    assert store.redeem(code) is None


def _decode(issuer: str, token: str, audience: str) -> dict[str, Any]:
    jwks = jwt.PyJWKClient(f"{issuer}/protocol/openid-connect/certs")
    payload: dict[str, Any] = jwt.decode(token, jwks.get_signing_key_from_jwt(token).key, algorithms=["RS256"],
                                         audience=audience, issuer=issuer)
    return payload
