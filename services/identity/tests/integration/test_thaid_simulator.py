"""The ThaiD simulator over HTTP, as Keycloak's `thaid` identity provider drives it: discovery, the person
page, the code redirect and the token endpoint with client_secret_basic; and its refusals."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlencode, urlsplit

import jwt
import pytest
from fastapi.testclient import TestClient

from identity.adapters.audit_store import AuditStore
from identity.domain.audit import AuditQuery
from identity.domain.authorization import s256
from identity.domain.fake_people import fake_person
from identity.domain.thaid import subject

ROOT = Path(__file__).resolve().parents[4]
DEV_PEOPLE = ROOT / "infra" / "dev" / "dev_people.json"
PUBLIC_URL = "http://127.0.0.1:18002"
ISSUER = PUBLIC_URL + "/dev/thaid"
AUTH = "/dev/thaid/api/v2/oauth2/auth/"
TOKEN = "/dev/thaid/api/v2/oauth2/token/"
CLIENT_ID, SECRET = "thaid-dev", "dev-secret with spaces & symbols:/"
BROKER = "http://127.0.0.1:18080/realms/debt/broker/thaid/endpoint"
OFFICER = "3470100000020"  # dev_people.json: district officer, Mueang Sakon Nakhon


def make_app(mongodb_uri: str, db_name: str, key_dir: Path, **changes: Any) -> Any:
    from identity.main import create_app
    from identity.settings import Settings

    values: dict[str, Any] = {
        "env": "dev", "mongodb_uri": mongodb_uri, "mongodb_database": f"idn_{db_name}", "public_url": PUBLIC_URL,
        "dev_key_dir": key_dir, "keycloak_url": None, "thaid_sim_client_secret": SECRET,
        "thaid_sim_people_file": DEV_PEOPLE, **changes}
    return create_app(Settings(**values))


@pytest.fixture
def client(mongodb_uri: str, db_name: str, tmp_path: Path) -> Iterator[TestClient]:
    # https: the simulator's cookies are Secure (browsers treat 127.0.0.1 as secure; httpx does not).
    with TestClient(make_app(mongodb_uri, db_name, tmp_path), base_url="https://testserver") as test_client:
        yield test_client


def auth_params(**changes: str) -> dict[str, str]:
    """What Keycloak's OIDC broker sends (pkceEnabled=false: no code_challenge)."""
    return {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": BROKER, "state": "kc-state-1",
            "scope": "openid pid name given_name family_name birthdate address gender title", "nonce": "kc-nonce-1",
            **changes}


def open_page(client: TestClient, **changes: str) -> tuple[str, dict[str, str]]:
    response = client.get(AUTH + "?" + urlencode(auth_params(**changes)))
    assert response.status_code == 200, response.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', response.text)
    assert csrf is not None
    return response.text, {**auth_params(**changes), "csrf": csrf.group(1)}


def sign_in(client: TestClient, citizen_id: str, **changes: str) -> dict[str, list[str]]:
    _, form = open_page(client, **changes)
    response = client.post(AUTH, data={**form, "citizen_id": citizen_id}, follow_redirects=False)
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == BROKER
    return parse_qs(location.query)


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()  # RFC 6749 §2.3.1, as Keycloak sends it
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def exchange(client: TestClient, code: str, headers: dict[str, str] | None = None, **form: str) -> Any:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": BROKER, **form}
    return client.post(TOKEN, data=data, headers=basic(CLIENT_ID, SECRET) if headers is None else headers)


def verify(client: TestClient, id_token: str) -> dict[str, Any]:
    keys = client.get("/dev/thaid/jwks").json()
    kid = jwt.get_unverified_header(id_token)["kid"]
    key = jwt.PyJWK(next(k for k in keys["keys"] if k["kid"] == kid))
    claims: dict[str, Any] = jwt.decode(id_token, key, algorithms=["RS256"], audience=CLIENT_ID, issuer=ISSUER)
    return claims


def test_discovery_names_the_fixed_paths(client: TestClient) -> None:
    doc = client.get("/dev/thaid/.well-known/openid-configuration").json()
    assert doc["issuer"] == ISSUER
    assert doc["authorization_endpoint"] == ISSUER + "/api/v2/oauth2/auth/"
    assert doc["token_endpoint"] == ISSUER + "/api/v2/oauth2/token/"
    assert doc["jwks_uri"] == ISSUER + "/jwks"
    assert "client_secret_basic" in doc["token_endpoint_auth_methods_supported"]
    assert "userinfo_endpoint" not in doc  # the realm's provider has disableUserInfo
    assert client.get("/dev/thaid/jwks").json()["keys"][0]["alg"] == "RS256"


def test_person_page_lists_the_dev_people_thai_first(client: TestClient) -> None:
    page, _ = open_page(client)
    assert "District officer, Mueang Sakon Nakhon" in page and "เจ้าหน้าที่อำเภอเมืองสกลนคร" in page
    assert page.index("เจ้าหน้าที่อำเภอเมืองสกลนคร") < page.index("District officer, Mueang Sakon Nakhon")
    assert "Registrar, Phra Nakhon district office" in page and OFFICER in page
    assert 'type="password"' not in page and "<script" not in page
    response = client.get(AUTH + "?" + urlencode(auth_params()))
    csp = response.headers["content-security-policy"]
    # No form-action: the answer redirects through Keycloak to its client (test_browser.py signs in that way).
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp and "form-action" not in csp
    assert 'name="viewport" content="width=device-width' in page


@pytest.mark.parametrize("changes", [
    {"redirect_uri": "https://evil.example/cb"},
    {"redirect_uri": "http://127.0.0.1.evil.example/cb"},
    {"client_id": "debt-public"},
    {"response_type": "token"},
    {"code_challenge": "short", "code_challenge_method": "S256"},
])
def test_unverified_requests_are_refused_without_a_redirect(client: TestClient, changes: dict[str, str]) -> None:
    response = client.get(AUTH + "?" + urlencode(auth_params(**changes)), follow_redirects=False)
    assert response.status_code == 400 and "location" not in response.headers
    assert "ไม่" in response.text  # the Thai explanation comes first
    _, form = open_page(client)
    posted = client.post(AUTH, data={**form, **changes, "citizen_id": OFFICER}, follow_redirects=False)
    assert posted.status_code == 400 and "location" not in posted.headers


def test_post_without_a_valid_csrf_token_is_refused(client: TestClient) -> None:
    _, form = open_page(client)
    for csrf in ("", "0" * 64):
        response = client.post(AUTH, data={**form, "csrf": csrf, "citizen_id": OFFICER}, follow_redirects=False)
        assert response.status_code == 403 and "location" not in response.headers
        assert "แบบฟอร์มหมดอายุ" in response.text


def test_listed_person_signs_in_and_the_id_token_has_thaid_claims(client: TestClient) -> None:
    query = sign_in(client, OFFICER)
    assert query["state"] == ["kc-state-1"] and query["iss"] == [ISSUER]
    response = exchange(client, query["code"][0])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0 and body["access_token"]
    claims = verify(client, body["id_token"])
    assert claims["pid"] == OFFICER and claims["nonce"] == "kc-nonce-1"
    assert (claims["title"], claims["given_name"], claims["family_name"]) == ("นาย", "สมชาย", "ตั้งใจ")
    assert claims["name"] == "นายสมชาย ตั้งใจ"
    assert claims["birthdate"] == "1982-01-15" and claims["gender"] == "M"
    assert claims["address"] == {"formatted": "อ.เมืองสกลนคร จ.สกลนคร"}
    assert claims["sub"] == subject(OFFICER) and OFFICER not in claims["sub"]
    assert isinstance(claims["iat"], int) and claims["exp"] > claims["iat"]


def test_sign_in_is_audited_without_the_citizen_id(client: TestClient) -> None:
    sign_in(client, OFFICER)
    store: AuditStore = client.app.state.audit_store  # type: ignore[attr-defined]
    entries = store.search(AuditQuery(actor_sub=subject(OFFICER), action="thaid.signin")).entries
    assert len(entries) == 1
    assert entries[0]["target"] == CLIENT_ID
    assert OFFICER not in str(entries[0])


def test_any_valid_citizen_id_gets_a_made_up_person(client: TestClient) -> None:
    typed = "๑ ๑๐๑๗-๐๐๒๓๐-๗๙-๑"  # 1101700230791 (in no people file) with Thai digits, spaces and dashes
    claims = verify(client, exchange(client, sign_in(client, typed)["code"][0]).json()["id_token"])
    made_up = fake_person("citizen:1101700230791")
    assert claims["pid"] == "1101700230791"
    assert (claims["given_name"], claims["family_name"]) == (made_up.given_name, made_up.family_name)
    assert claims["birthdate"] == made_up.birthdate.isoformat()
    assert claims["address"]["formatted"]


def test_an_invalid_citizen_id_is_explained_not_redirected(client: TestClient) -> None:
    _, form = open_page(client)
    for typed in ("1101700230709", "12345", "x" * 5000):
        response = client.post(AUTH, data={**form, "citizen_id": typed}, follow_redirects=False)
        assert response.status_code == 400 and "location" not in response.headers
        assert "เลขประจำตัวประชาชนไม่ถูกต้อง" in response.text


def test_cancel_returns_access_denied(client: TestClient) -> None:
    _, form = open_page(client)
    response = client.post(AUTH, data={**form, "cancel": "1"}, follow_redirects=False)
    assert response.status_code == 303
    assert parse_qs(urlsplit(response.headers["location"]).query)["error"] == ["access_denied"]


def test_client_secret_post_is_accepted(client: TestClient) -> None:
    code = sign_in(client, OFFICER)["code"][0]
    response = exchange(client, code, headers={}, client_id=CLIENT_ID, client_secret=SECRET)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("headers", [
    basic(CLIENT_ID, "wrong"), basic("someone-else", SECRET), {}, {"Authorization": "Basic %%%"},
    {"Authorization": "Bearer " + SECRET},
])
def test_the_client_must_authenticate(client: TestClient, headers: dict[str, str]) -> None:
    code = sign_in(client, OFFICER)["code"][0]
    response = exchange(client, code, headers=headers)
    assert response.status_code in (400, 401) and "id_token" not in response.json()
    assert response.json()["error"] in ("invalid_client", "invalid_request")
    assert exchange(client, code).status_code == 200  # a refused client did not use the code up


def test_a_code_is_used_once_and_bound_to_its_redirect_uri(client: TestClient) -> None:
    code = sign_in(client, OFFICER)["code"][0]
    assert exchange(client, code).status_code == 200
    reused = exchange(client, code)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    other = sign_in(client, OFFICER)["code"][0]
    wrong = exchange(client, other, redirect_uri="http://127.0.0.1:18080/other")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert exchange(client, other).status_code == 400  # the failed exchange used it up
    assert exchange(client, "not-a-code").json()["error"] == "invalid_grant"
    grant = client.post(TOKEN, data={"grant_type": "password"}, headers=basic(CLIENT_ID, SECRET))
    assert grant.json()["error"] == "unsupported_grant_type"


def test_pkce_is_enforced_when_the_client_sends_it(client: TestClient) -> None:
    verifier = "v" * 50
    code = sign_in(client, OFFICER, code_challenge=s256(verifier), code_challenge_method="S256")["code"][0]
    assert exchange(client, code, code_verifier="w" * 50).json()["error"] == "invalid_grant"
    code = sign_in(client, OFFICER, code_challenge=s256(verifier), code_challenge_method="S256")["code"][0]
    assert exchange(client, code, code_verifier=verifier).status_code == 200


def test_without_a_configured_secret_every_client_is_refused(mongodb_uri: str, db_name: str, tmp_path: Path
                                                              ) -> None:
    app = make_app(mongodb_uri, db_name, tmp_path, thaid_sim_client_secret=None, thaid_sim_people_file=None)
    with TestClient(app, base_url="https://testserver") as no_secret:
        page, _ = open_page(no_secret)
        assert "Dev people" not in page  # no people file: the citizen-ID field only
        code = sign_in(no_secret, OFFICER)["code"][0]
        for headers in (basic(CLIENT_ID, ""), basic(CLIENT_ID, SECRET)):
            response = exchange(no_secret, code, headers=headers)
            assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_no_simulator_outside_dev(mongodb_uri: str, db_name: str, tmp_path: Path) -> None:
    app = make_app(mongodb_uri, db_name, tmp_path, env="test", oidc_issuer_url="http://127.0.0.1:1/realms/debt")
    paths = {getattr(route, "path", "") for route in app.routes}
    assert not any(path.startswith("/dev/thaid") for path in paths)
