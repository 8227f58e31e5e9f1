"""Sign-in to identity's pages through Keycloak (PKCE code flow; ThaiD is the simulator), rate limits, cookies
and security headers. Keycloak sends browsers back only to the session's identity service (the realm's
redirect URI), so full sign-ins use the ``identity`` fixture; ``identity_app`` (ENV=test) checks the start."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from infra.dev.browser import DevBrowser, csrf_in, query_of
from infra.dev.testing import RunningService, free_port, serve, stop_service


@pytest.fixture
def strict_identity(mongodb_uri: str, issuer_url: str, db_name: str, tmp_path: Path) -> Iterator[RunningService]:
    """A dev identity with tiny sign-in limits: 3 per address, 2 per citizen ID."""
    from identity.main import create_app
    from identity.settings import Settings

    port = free_port()
    settings = Settings(env="dev", mongodb_uri=mongodb_uri, mongodb_database=f"idn_{db_name}",
                        public_url=f"http://127.0.0.1:{port}", oidc_issuer_url=issuer_url, dev_key_dir=tmp_path,
                        signin_limit_per_address=3, signin_limit_per_citizen=2)
    service = serve(create_app(settings), port)
    yield service
    stop_service(service)


def test_staff_sign_in_redirects_to_the_idp_with_pkce(identity_app: RunningService, issuer_url: str) -> None:
    with DevBrowser() as browser:
        start = browser.get(f"{identity_app.url}/signin?next=/audit")
    location = start.headers["location"]
    assert start.status_code == 303 and location.startswith(f"{issuer_url}/protocol/openid-connect/auth?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert params["client_id"] == "debt-staff" and params["code_challenge_method"] == "S256"
    assert params["redirect_uri"] == f"{identity_app.url}/signin/callback" and "kc_idp_hint" not in params
    state_cookie = next(c for c in start.headers.get_list("set-cookie") if c.startswith("idn_signin="))
    assert all(flag in state_cookie.lower() for flag in ("secure", "httponly", "samesite=lax", "path=/signin"))


def test_citizens_go_straight_to_thaid(identity_app: RunningService) -> None:
    with DevBrowser() as browser:
        start = browser.get(f"{identity_app.url}/signin?as=citizen")
    params = query_of(start.headers["location"])
    assert params["client_id"] == "debt-public" and params["kc_idp_hint"] == "thaid"


def test_citizen_signs_in_and_the_session_carries_their_claims(identity: RunningService) -> None:
    with DevBrowser() as browser:
        landed = browser.sign_in_through(f"{identity.url}/signin?as=citizen&next=/", "citizen:3100600445635")
        assert landed.status_code == 303 and landed.headers["location"] == "/"
        home = browser.get(f"{identity.url}/")
    assert "citizen" in home.text and "ออกจากระบบ" in home.text


def test_callback_refuses_a_foreign_or_replayed_state(identity: RunningService) -> None:
    with DevBrowser() as browser:
        start = browser.get(f"{identity.url}/signin")
        answer = browser.sign_in_at_issuer(start.headers["location"], "auditor")
        back = query_of(answer.headers["location"])
        forged = browser.get(f"{identity.url}/signin/callback", params={"code": back["code"], "state": "other"})
        assert forged.status_code == 400 and "idn_session" not in browser.cookies.get(
            f"127.0.0.1:{urlsplit(identity.url).port}", {})
    with DevBrowser() as stranger:  # the right code and state, but not the browser that started the sign-in
        assert stranger.get(f"{identity.url}/signin/callback", params=back).status_code == 400


def test_next_cannot_leave_the_site(identity: RunningService) -> None:
    with DevBrowser() as browser:
        landed = browser.sign_in_through(f"{identity.url}/signin?next=//evil.example/x", "auditor")
    assert landed.headers["location"] == "/"


def test_sign_in_is_rate_limited_per_address_with_a_thai_page(strict_identity: RunningService) -> None:
    with DevBrowser() as browser:
        answers = [browser.get(f"{strict_identity.url}/signin") for _ in range(4)]
    assert [a.status_code for a in answers] == [303, 303, 303, 429]
    assert "บ่อยเกินไป" in answers[-1].text and int(answers[-1].headers["retry-after"]) > 0
    with DevBrowser(headers={"x-forwarded-for": "203.0.113.7"}) as elsewhere:  # another client is not affected
        assert elsewhere.get(f"{strict_identity.url}/signin").status_code == 303


def test_thaid_simulator_sign_in_is_rate_limited_per_citizen_id(strict_identity: RunningService) -> None:
    """The simulator's person page (what Keycloak's ThaiD broker sends browsers to) counts sign-ins per citizen
    ID, whichever address they come from."""
    statuses = []
    for n in range(3):  # a fresh address each time: only the citizen ID is the same
        params = {"response_type": "code", "client_id": "thaid-dev", "state": str(n), "scope": "openid pid",
                  "redirect_uri": "http://127.0.0.1:9/realms/debt/broker/thaid/endpoint"}
        with DevBrowser(headers={"x-forwarded-for": f"198.51.100.{n + 1}"}) as browser:
            url = f"{strict_identity.url}/dev/thaid/api/v2/oauth2/auth/"
            page = browser.get(url, params=params)
            statuses.append(browser.post(url, data={**params, "csrf": csrf_in(page.text),
                                                    "citizen_id": "3100600445635"}).status_code)
    assert statuses == [303, 303, 429]


def test_production_sends_hsts_and_refuses_missing_secrets(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from identity.main import create_app
    from identity.settings import Settings

    real = {"mongodb_uri": "mongodb://db:27017/", "kafka_bootstrap_servers": "kafka:9092",
            "oidc_issuer_url": "https://sso.example.go.th/realms/debt", "public_url": "https://id.example.go.th",
            "keycloak_url": "https://sso.example.go.th", "keycloak_admin_client_id": "debt-identity",
            "keycloak_admin_client_secret": uuid.uuid4().hex, "session_secret": uuid.uuid4().hex + uuid.uuid4().hex,
            "public_client_secret": uuid.uuid4().hex, "staff_client_secret": uuid.uuid4().hex}
    app = create_app(Settings(env="production", **real))
    assert not any(getattr(r, "path", "").startswith("/dev/") for r in app.routes)  # no ThaiD simulator
    response = TestClient(app).get("/healthz")  # no lifespan: nothing connects
    assert response.headers["strict-transport-security"].startswith("max-age=")
    for missing in ("session_secret", "keycloak_admin_client_secret", "keycloak_url", "staff_client_secret"):
        with pytest.raises(ValidationError, match=missing.upper()):
            Settings(env="production", **{k: v for k, v in real.items() if k != missing})
    with pytest.raises(ValidationError, match="SESSION_SECRET"):
        Settings(env="production", **{**real, "session_secret": "short"})
    with pytest.raises(ValidationError, match="https"):
        Settings(env="production", **{**real, "keycloak_url": "http://keycloak:8080"})
