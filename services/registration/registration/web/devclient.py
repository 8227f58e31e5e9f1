"""A small scripted browser for tests and local checks of the pages (no JavaScript).

Keeps cookies per origin (Secure ones too on loopback, as real browsers do), follows no redirects by
itself, and signs a dev persona in through the full OIDC code flow: our /auth/signin, the dev issuer's
persona page, back to our /auth/callback.
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_in(html: str) -> str:
    match = _CSRF.search(html)
    if match is None:
        raise AssertionError("no CSRF token in the page")
    return match.group(1)


class DevClient:
    def __init__(self, base_url: str, **options: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(follow_redirects=False, timeout=15, **options)
        self.jars: dict[str, dict[str, str]] = {}

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> DevClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _url(self, url: str) -> str:
        return url if url.startswith("http") else self.base_url + url

    @staticmethod
    def _origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.hostname}:{parts.port}"

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        url = self._url(url)
        jar = self.jars.setdefault(self._origin(url), {})
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
            if response.status_code not in (301, 302, 303, 307, 308):
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

    def sign_in(self, persona: str, *, flow: str = "public", next_path: str | None = None) -> httpx.Response:
        """Signs ``persona`` (``citizen:<id>``, ``registrar:<unit>`` …) in; returns the page it lands on."""
        start = f"/auth/signin?flow={flow}" + (f"&next={next_path}" if next_path else "")
        to_issuer = self.get(start)
        if to_issuer.status_code != 303:
            raise AssertionError(f"sign-in did not start: {to_issuer.status_code} {to_issuer.text[:200]}")
        authorize = to_issuer.headers["location"]
        page = self.get(authorize)
        kind, _, code = persona.partition(":")
        params = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
        form = {"csrf": csrf_in(page.text), "persona_kind": kind, **params}
        form["citizen_id" if kind == "citizen" else "unit_code"] = code
        back = self.post(authorize.split("?")[0], data=form)
        if back.status_code != 303:
            raise AssertionError(f"the dev issuer refused: {back.status_code} {back.text[:300]}")
        return self.follow(self.get(back.headers["location"]))
