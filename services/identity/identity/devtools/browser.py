"""A minimal browser for tests: keeps cookies per origin (Secure ones too, on loopback, as real
browsers do), follows no redirects by itself, and can sign a dev persona in through the dev
issuer's authorization-code flow with PKCE."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def csrf_in(html: str) -> str:
    match = _CSRF.search(html)
    if match is None:
        raise AssertionError("no CSRF token in the page")
    return match.group(1)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


class Browser:
    def __init__(self, **client_options: Any) -> None:
        self.http = httpx.Client(follow_redirects=False, timeout=10, **client_options)
        self.cookies: dict[str, dict[str, str]] = {}

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    @staticmethod
    def _origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.hostname}:{parts.port}"

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        jar = self.cookies.get(self._origin(url), {})
        headers = dict(kwargs.pop("headers", None) or {})
        if jar:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        response = self.http.request(method, url, headers=headers, **kwargs)
        for raw in response.headers.get_list("set-cookie"):
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(raw)
            for name, morsel in parsed.items():
                origin_jar = self.cookies.setdefault(self._origin(url), {})
                if morsel["max-age"] == "0" or not morsel.value.strip('"'):
                    origin_jar.pop(name, None)
                else:
                    origin_jar[name] = morsel.value
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def sign_in_at_issuer(self, authorize_url: str, persona: str) -> httpx.Response:
        """On the dev issuer's page at ``authorize_url``, chooses ``persona`` (``kind[:code]``); returns
        the issuer's answer (a 303 back to the client on success)."""
        page = self.get(authorize_url)
        if page.status_code != 200:
            return page
        kind, _, code = persona.partition(":")
        form = {"csrf": csrf_in(page.text), "persona_kind": kind, **query_of(authorize_url)}
        if kind == "citizen":
            form["citizen_id"] = code
        elif code:
            form["unit_code"] = code
        return self.post(authorize_url.split("?")[0], data=form)

    def sign_in_through(self, start_url: str, persona: str) -> httpx.Response:
        """Starts a service's own sign-in at ``start_url`` (which redirects to the dev issuer), signs
        ``persona`` in there and follows the way back; returns the service's callback answer."""
        start = self.get(start_url)
        if start.status_code not in (302, 303, 307):
            return start
        back = self.sign_in_at_issuer(start.headers["location"], persona)
        if back.status_code != 303:
            return back
        return self.get(back.headers["location"])


def code_flow_tokens(
    issuer: str,
    persona: str,
    *,
    client_id: str = "debt-public",
    redirect_uri: str = "http://127.0.0.1:9/callback",
    nonce: str | None = None,
) -> dict[str, Any]:
    """The token response a client gets after ``persona`` signs in through the dev issuer."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": state,
              "code_challenge": challenge, "code_challenge_method": "S256", "scope": "openid"}
    if nonce:
        params["nonce"] = nonce
    with Browser() as browser:
        url = str(httpx.URL(f"{issuer}/protocol/openid-connect/auth", params=params))
        answer = browser.sign_in_at_issuer(url, persona)
        if answer.status_code != 303:
            raise AssertionError(f"sign-in failed: {answer.status_code} {answer.text[:300]}")
        back = query_of(answer.headers["location"])
        if back.get("state") != state:
            raise AssertionError("state was not returned")
        token = browser.post(f"{issuer}/protocol/openid-connect/token", data={
            "grant_type": "authorization_code", "code": back["code"], "redirect_uri": redirect_uri,
            "client_id": client_id, "code_verifier": verifier,
        })
        token.raise_for_status()
        tokens: dict[str, Any] = token.json()
        return tokens
