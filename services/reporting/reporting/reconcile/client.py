"""Registration's figures export over HTTP, with the reporting service's own client-credentials token.

The token comes from the OIDC issuer's token endpoint (found by discovery) for the service account's client
(``debt-reporting`` in the realm); it is kept until shortly before it expires. The export is NDJSON streamed
line by line, so a national export is never held in memory as a whole.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

from reporting.reconcile.recompute import Line

EXPORT_PATH = "/api/v1/figures/cases"


class ExportFailed(Exception):
    """The export could not be read whole; the message is safe to show."""


class ClientCredentials:
    """An access token of the service's own client, refreshed 30 s before it expires."""

    def __init__(self, issuer_url: str, client_id: str, client_secret: str, *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.issuer = issuer_url.rstrip("/")
        self.client_id, self._secret = client_id, client_secret
        self.timeout, self.transport = timeout, transport
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._token[1]:
                self._token = self._fetch()
            return self._token[0]

    def _fetch(self) -> tuple[str, float]:
        with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
            discovery = http.get(f"{self.issuer}/.well-known/openid-configuration")
            discovery.raise_for_status()
            answer = http.post(discovery.json()["token_endpoint"], data={"grant_type": "client_credentials"},
                               auth=(self.client_id, self._secret))
        if answer.status_code != 200:
            raise ExportFailed(f"token endpoint refused client {self.client_id}: HTTP {answer.status_code}")
        body: dict[str, Any] = answer.json()
        return str(body["access_token"]), time.monotonic() + max(float(body.get("expires_in", 60)) - 30, 5)


class RegistrationExport:
    def __init__(self, registration_url: str, credentials: ClientCredentials, *, timeout: float = 60.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url = registration_url.rstrip("/") + EXPORT_PATH
        self.credentials = credentials
        self.timeout, self.transport = timeout, transport

    def lines(self) -> Iterator[Line]:
        """Each case line; raises :class:`ExportFailed` if the answer is not a whole export (no head, no end
        line, or fewer cases than the end line counts)."""
        headers = {"Authorization": f"Bearer {self.credentials.token()}", "Accept": "application/x-ndjson"}
        count, ended = 0, False
        with httpx.Client(timeout=self.timeout, transport=self.transport) as http, \
                http.stream("GET", self.url, headers=headers) as answer:
            if answer.status_code != 200:
                raise ExportFailed(f"registration answered HTTP {answer.status_code} for the figures export")
            lines = (json.loads(raw) for raw in answer.iter_lines() if raw.strip())
            head = next(lines, None)
            if not isinstance(head, dict) or head.get("kind") != "export" or head.get("version") != 1:
                raise ExportFailed("the figures export does not start with its head line (version 1)")
            for line in lines:
                if line.get("kind") == "end":
                    ended = line.get("cases") == count
                    break
                count += 1
                yield line
        if not ended:
            raise ExportFailed(f"the figures export was cut short after {count} cases")
