"""A scripted browser for tests of the pages (no JavaScript), shared by every service's tests.

Keeps cookies per origin (Secure ones too on loopback, as real browsers do), follows redirects
only when asked, fills CSRF tokens, and signs a dev persona in as a person would: the service's
code flow to Keycloak, "ThaiD" there, the person's citizen ID on the ThaiD simulator, and back.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from http.cookies import SimpleCookie
from typing import Any, ClassVar, Protocol
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from infra.dev.realm import THAID_SIM_PATH

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')
_THAID_LINK = re.compile(r'href="([^"]*/broker/thaid/login[^"]*)"')
REDIRECTS = (301, 302, 303, 307, 308)


class PersonaAccounts(Protocol):
    def citizen_id_of(self, persona: str) -> str: ...


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


class DevBrowser:
    """``base_url`` lets tests write paths (``/register``); full URLs work too (e.g. the issuer's)."""

    def __init__(self, base_url: str = "", **client_options: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(follow_redirects=False, timeout=15, **client_options)
        self.cookies: dict[str, dict[str, str]] = {}

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> DevBrowser:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @staticmethod
    def _origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.hostname}:{parts.port}"

    def forget(self, url: str) -> None:
        """Drops the cookies of ``url``'s origin, as when a session there (Keycloak's) has ended."""
        self.cookies.pop(self._origin(url), None)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        url = url if url.startswith("http") else self.base_url + url
        jar = self.cookies.setdefault(self._origin(url), {})
        headers = dict(kwargs.pop("headers", None) or {})
        if jar:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        response = self.http.request(method, url, headers=headers, **kwargs)
        for raw in response.headers.get_list("set-cookie"):
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(raw)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0" or not morsel.value.strip('"'):
                    jar.pop(name, None)
                else:
                    jar[name] = morsel.value
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def follow(self, response: httpx.Response, limit: int = 10) -> httpx.Response:
        """Follows redirects (303 after a POST becomes a GET), keeping cookies."""
        for _ in range(limit):
            if response.status_code not in REDIRECTS:
                return response
            response = self.get(urljoin(str(response.url), response.headers["location"]))
        raise AssertionError("too many redirects")

    def post_form(self, url: str, data: dict[str, Any] | list[tuple[str, str]], *, page: str | None = None,
                  **kwargs: Any) -> httpx.Response:
        """Posts ``data`` with the CSRF token of ``page`` (or of the page at ``url``)."""
        html = page if page is not None else self.get(url).text
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        form: dict[str, list[str]] = {"csrf": [csrf_in(html)]}
        for name, value in pairs:
            form.setdefault(name, []).append(value)
        return self.post(url, data=form, **kwargs)

    # Set by the test session's Keycloak fixture: makes the Keycloak account a staff persona signs in to.
    accounts: ClassVar[PersonaAccounts | None] = None

    def sign_in_at_issuer(self, authorize_url: str, persona: str) -> httpx.Response:
        """From Keycloak's authorization URL: "ThaiD" on Keycloak's sign-in page, ``persona``'s citizen ID on
        the ThaiD simulator, then Keycloak's first-broker-login; returns Keycloak's redirect back to the
        client (or the first page on the way that is not a redirect, for the test to look at)."""
        kind, _, code = persona.partition(":")
        if kind == "citizen":
            citizen_id = code
        elif self.accounts is not None:
            citizen_id = self.accounts.citizen_id_of(persona)
        else:
            raise AssertionError("staff sign-in needs DevBrowser.accounts (the keycloak_server fixture)")
        redirect_uri = query_of(authorize_url).get("redirect_uri", "")
        response = self.get(authorize_url)
        for _ in range(20):
            url = str(response.url)
            if response.status_code in REDIRECTS:
                location = urljoin(url, response.headers["location"])
                if redirect_uri and location.startswith(redirect_uri):
                    return response  # back to the client, with its code
                response = self.get(location)
            elif f"{THAID_SIM_PATH}/" in url and "csrf" in response.text:
                form = {k: html.unescape(v) for k, v in _HIDDEN.findall(response.text) if k != "cancel"}
                response = self.post(url.split("?")[0], data={**form, "citizen_id": citizen_id})
            elif (link := _THAID_LINK.search(response.text)) is not None:
                response = self.get(urljoin(url, html.unescape(link.group(1))))
            else:
                return response
        raise AssertionError("sign-in went round in circles")

    def sign_in_through(self, start_url: str, persona: str) -> httpx.Response:
        """Starts a service's own sign-in at ``start_url`` (which redirects to Keycloak), signs
        ``persona`` in there and follows the way back; returns the service's callback answer."""
        start = self.get(start_url)
        if start.status_code not in REDIRECTS:
            return start
        back = self.sign_in_at_issuer(start.headers["location"], persona)
        if back.status_code not in REDIRECTS:
            return back
        return self.get(back.headers["location"])

    def sign_in(self, persona: str, *, flow: str = "public", next_path: str | None = None) -> httpx.Response:
        """The registration pages' sign-in (``/auth/signin``); returns the page it lands on."""
        to_issuer = self.get(f"/auth/signin?flow={flow}" + (f"&next={next_path}" if next_path else ""))
        if to_issuer.status_code != 303:
            raise AssertionError(f"sign-in did not start: {to_issuer.status_code} {to_issuer.text[:200]}")
        back = self.sign_in_at_issuer(to_issuer.headers["location"], persona)
        if back.status_code not in REDIRECTS:
            raise AssertionError(f"sign-in through Keycloak stopped at {back.url}: {back.status_code} "
                                 f"{back.text[-3000:]}")
        return self.follow(self.get(back.headers["location"]))  # the service may still refuse (e.g. 403)


def code_flow_tokens(
    issuer: str,
    persona: str,
    *,
    client_id: str = "debt-public",
    client_secret: str | None = None,
    redirect_uri: str = "http://127.0.0.1:9/callback",
    nonce: str | None = None,
) -> dict[str, Any]:
    """The token response a client gets after ``persona`` signs in through Keycloak and the ThaiD simulator
    (``client_secret`` for a confidential client)."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": state,
              "code_challenge": challenge, "code_challenge_method": "S256", "scope": "openid"}
    if nonce:
        params["nonce"] = nonce
    with DevBrowser() as browser:
        url = str(httpx.URL(f"{issuer}/protocol/openid-connect/auth", params=params))
        answer = browser.sign_in_at_issuer(url, persona)
        if answer.status_code not in REDIRECTS:
            raise AssertionError(f"sign-in failed: {answer.status_code} {answer.headers.get('location')} "
                                 f"{answer.text[:300]}")
        back = query_of(answer.headers["location"])
        if back.get("state") != state:
            raise AssertionError("state was not returned")
        token = browser.post(f"{issuer}/protocol/openid-connect/token", data={
            "grant_type": "authorization_code", "code": back["code"], "redirect_uri": redirect_uri,
            "client_id": client_id, "code_verifier": verifier,
        }, auth=(client_id, client_secret) if client_secret else None)
        token.raise_for_status()
        tokens: dict[str, Any] = token.json()
        return tokens
