"""The reporting pages' shared plumbing (``reporting.web``) without a network: sign-in start (PKCE, the
staff client, our own callback), no open redirect, sessions bound to their token, CSRF on sign-out,
language, security headers, static files and feature templates. The full sign-in through Keycloak is in
``tests/integration/test_web_signin.py``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.testclient import TestClient

from contracts.claims import Claims
from reporting.settings import Settings
from reporting.web import STATIC, Feature, NavLink, install_web, render, staff
from reporting.web.context import COOKIE
from reporting.web.format import baht, be_date, percent
from reporting.web.session import MemorySessions
from reporting.web.settings import WebSettings

ISSUER = "http://keycloak.test/realms/debt"


def _feature(tmp_path: Path) -> Feature:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "hello.html").write_text(
        '{% extends "base.html" %}{% block main %}<p id="who">{{ who }}</p>{% endblock %}', encoding="utf-8")
    router = APIRouter(prefix="/reports/hello")

    @router.get("")
    def hello(request: Request, claims: Annotated[Claims, Depends(staff)]) -> Response:
        return render(request, "hello.html", {"who": claims.sub})

    return Feature("hello", [router], templates=templates, nav=[NavLink("/reports/hello", "ทักทาย", "Hello")])


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    app = FastAPI()
    install_web(app, Settings(oidc_issuer_url=ISSUER), [_feature(tmp_path)],
                WebSettings(env="dev", client_secret="s3cret"))
    app.state.web.use_sessions(MemorySessions())
    oidc = app.state.web.oidc  # as if discovery had answered: no network in unit tests
    oidc._document = {"authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
                      "token_endpoint": f"{ISSUER}/protocol/openid-connect/token"}
    oidc._fetched_at = time.monotonic()
    return app


def signed_in(app: FastAPI, *, token_exp: float | None = None, roles: tuple[str, ...] = ("dopa_admin",)
              ) -> TestClient:
    client = TestClient(app)
    sid = app.state.web.sessions(None).create(
        {"kind": "staff", "claims": {"sub": "officer-1", "roles": list(roles)},
         "token_exp": token_exp if token_exp is not None else time.time() + 300}, 300)
    client.cookies.set(COOKIE, app.state.web.cookie_value(sid))
    return client


def test_sign_in_starts_a_code_flow_with_pkce_at_the_staff_client(app: FastAPI) -> None:
    with TestClient(app) as client:
        answer = client.get("/reports/auth/signin?next=/reports/hello", follow_redirects=False)
    assert answer.status_code == 303
    url = urlsplit(answer.headers["location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ISSUER}/protocol/openid-connect/auth"
    assert query["client_id"] == "debt-staff" and query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == "http://testserver/reports/auth/callback"
    assert query["ui_locales"] == "th"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "Path=/reports" in cookie and "HttpOnly" in cookie
    pending = next(iter(app.state.web.sessions(None).docs.values()))
    assert pending["kind"] == "pending" and pending["login"]["next"] == "/reports/hello"
    assert pending["login"]["state"] == query["state"] and "verifier" in pending["login"]


@pytest.mark.parametrize("next_path", ["//evil.example/x", "https://evil.example", "/register", "/\\evil"])
def test_sign_in_never_sends_back_outside_the_reporting_pages(app: FastAPI, next_path: str) -> None:
    with TestClient(app) as client:
        client.get("/reports/auth/signin", params={"next": next_path}, follow_redirects=False)
    pending = next(iter(app.state.web.sessions(None).docs.values()))
    assert pending["login"]["next"] == "/reports"


def test_callback_refuses_a_state_it_did_not_issue(app: FastAPI) -> None:
    with TestClient(app) as client:
        client.get("/reports/auth/signin", follow_redirects=False)
        answer = client.get("/reports/auth/callback", params={"state": "forged", "code": "x"})
    assert answer.status_code == 400 and "เริ่มเข้าสู่ระบบใหม่" in answer.text


def test_staff_pages_need_a_live_signed_in_session(app: FastAPI) -> None:
    with TestClient(app) as anonymous:
        answer = anonymous.get("/reports/hello?x=1", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/reports/auth/signin?next=/reports/hello%3Fx%3D1"
        assert anonymous.post("/reports/hello").status_code == 405  # only GET exists; the route is not guessed
        anonymous.cookies.set(COOKIE, "made-up.0000")
        assert anonymous.get("/reports/hello", follow_redirects=False).status_code == 303
    with signed_in(app, token_exp=time.time() - 1) as expired:
        assert expired.get("/reports/hello", follow_redirects=False).status_code == 303
    with signed_in(app) as officer:
        page = officer.get("/reports/hello")
        assert page.status_code == 200 and '<p id="who">officer-1</p>' in page.text
        assert 'href="/reports/hello" aria-current="page">ทักทาย</a>' in page.text  # a feature's header link


def test_sign_out_needs_the_form_token_of_the_session(app: FastAPI) -> None:
    with signed_in(app) as officer:
        page = officer.get("/reports/hello").text
        token = page.split('name="csrf" value="')[1].split('"')[0]
        assert officer.post("/reports/auth/signout", data={"csrf": "wrong"}).status_code == 403
        answer = officer.post("/reports/auth/signout", data={"csrf": token}, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/reports?signed_out=1")
        assert app.state.web.sessions(None).docs == {}
        assert officer.get("/reports/hello", follow_redirects=False).status_code == 303


def test_pages_are_thai_first_with_english_on_request_and_the_strict_csp(app: FastAPI) -> None:
    with TestClient(app) as client:
        thai = client.get("/reports")
        assert '<html lang="th">' in thai.text and "เข้าสู่ระบบ" in thai.text
        assert "script-src 'self'" in thai.headers["content-security-policy"]
        assert "'unsafe-inline'" not in thai.headers["content-security-policy"]
        english = client.get("/reports?lang=en")
        assert '<html lang="en">' in english.text and "Sign in" in english.text
        assert client.get("/reports").text.startswith("<!doctype html>\n<html lang=\"en\">")  # remembered


def test_static_files_are_served_by_the_service(app: FastAPI) -> None:
    with TestClient(app) as client:
        for path in ("/reports/static/reports.css", "/reports/static/vendor/echarts.min.js",
                     "/reports/static/fonts/Sarabun-Regular.ttf"):
            assert client.get(path).status_code == 200, path
    assert "Apache License" in (STATIC / "vendor" / "echarts.LICENSE.txt").read_text()


def test_formats() -> None:
    assert baht(123_456_789) == "1,234,567.89" and baht(5) == "0.05" and baht(-150) == "-1.50"
    assert be_date("2026-12-01") == "1 ธันวาคม 2569" and be_date("2026-12-01", "en") == "1 December 2026"
    assert be_date("2026-01-31", short=True) == "31 ม.ค. 2569"
    assert percent(1, 3) == "33.3%" and percent(1, 0) == "–"


def test_production_needs_a_session_secret_and_https() -> None:
    with pytest.raises(ValueError):
        WebSettings(env="production", public_url="https://app.example")
    with pytest.raises(ValueError):
        WebSettings(env="production", session_secret="x" * 40, public_url="http://app.example")
    assert WebSettings(env="production", session_secret="x" * 40, public_url="https://app.example").secure_cookies
