"""identity as an OIDC client of Keycloak: discovery, the
authorization URL with PKCE and the code exchange."""

from __future__ import annotations

from typing import Any

import httpx

from contracts.claims import TokenVerifier


class SignInFailed(Exception):
    pass


class OidcClient:
    def __init__(self, verifier: TokenVerifier, timeout: float = 10.0) -> None:
        self.verifier = verifier
        self.timeout = timeout
        self._discovery: dict[str, Any] | None = None

    def endpoints(self) -> dict[str, Any]:
        if self._discovery is None:
            self._discovery = self.verifier.discovery()
        return self._discovery

    def authorization_url(self, params: dict[str, str]) -> str:
        return str(httpx.URL(self.endpoints()["authorization_endpoint"], params=params))

    def exchange(self, *, code: str, redirect_uri: str, client_id: str, code_verifier: str,
                 client_secret: str | None = None) -> dict[str, Any]:
        """The code for tokens; a confidential client authenticates with HTTP Basic (client_secret_basic)."""
        try:
            response = httpx.post(self.endpoints()["token_endpoint"], timeout=self.timeout, data={
                "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "client_id": client_id, "code_verifier": code_verifier,
            }, auth=(client_id, client_secret) if client_secret else None)
        except httpx.HTTPError as exc:
            raise SignInFailed(f"token endpoint unreachable: {exc}") from None
        if response.status_code != 200:
            raise SignInFailed(f"token endpoint answered {response.status_code}: {response.text[:200]}")
        try:
            tokens = response.json()
        except ValueError:
            raise SignInFailed("token endpoint answered something that is not JSON") from None
        if not isinstance(tokens, dict):
            raise SignInFailed("token endpoint answered JSON that is not an object")
        return tokens

