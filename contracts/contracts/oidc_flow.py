"""OpenID Connect authorization-code flow with PKCE (RFC 7636), as a relying party: the staff and public pages
of registration and reporting sign in through it.

Endpoints come from the issuer's discovery document (Keycloak, with ThaiD brokered; on the dev stack a
real Keycloak brokering to the ThaiD simulator), named by OIDC_ISSUER_URL alone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx


class OidcError(Exception):
    """Sign-in could not be completed; the message is for logs, not for the page."""


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)  # 64 characters, within RFC 7636's 43..128
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    expires_in: int
    id_token: str | None


def token_expiry(token: str) -> float | None:
    """The ``exp`` of a JWT whose signature has already been verified (``TokenVerifier.verify``), or None."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


class OidcClient:
    def __init__(self, issuer_url: str, *, timeout: float = 5.0, cache_seconds: float = 300) -> None:
        self.issuer = issuer_url.rstrip("/")
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        self._document: dict[str, Any] | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def _endpoint(self, name: str) -> str:
        with self._lock:
            stale = time.monotonic() - self._fetched_at > self._cache_seconds
            if self._document is None or stale:
                try:
                    response = httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=self._timeout)
                    response.raise_for_status()
                    self._document = response.json()
                except (httpx.HTTPError, ValueError) as exc:
                    if self._document is None:
                        raise OidcError(f"discovery failed: {exc}") from None
                self._fetched_at = time.monotonic()
            assert self._document is not None
        url = self._document.get(name)
        if not isinstance(url, str):
            raise OidcError(f"the issuer publishes no {name}")
        return url

    def authorization_url(
        self, *, client_id: str, redirect_uri: str, state: str, pkce: Pkce, lang: str, scope: str = "openid",
        nonce: str | None = None,
    ) -> str:
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
            "ui_locales": lang,
        }
        if nonce is not None:
            query["nonce"] = nonce
        return f"{self._endpoint('authorization_endpoint')}?{urlencode(query)}"

    def exchange_code(
        self, *, client_id: str, code: str, redirect_uri: str, verifier: str, client_secret: str | None = None
    ) -> TokenSet:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "code_verifier": verifier,
        }
        auth = (client_id, client_secret) if client_secret else None
        try:
            response = httpx.post(self._endpoint("token_endpoint"), data=form, auth=auth, timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise OidcError(f"token request failed: {exc}") from None
        if response.status_code != 200:
            raise OidcError(f"token endpoint answered {response.status_code}: {response.text[:200]}")
        try:
            body = response.json()
            return TokenSet(str(body["access_token"]), int(body.get("expires_in", 300)), body.get("id_token"))
        except (ValueError, KeyError, TypeError) as exc:
            raise OidcError(f"unexpected token response: {exc}") from None
