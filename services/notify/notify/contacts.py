"""Addresses looked up at send time (events carry none): a debtor's phone from registration's contact API with
notify's own client-credentials token (registration audits each read), a unit's official mailbox from a
configured pattern. Nothing looked up is stored whole: the message keeps a masked hint."""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

import httpx

from contracts.logs import correlation_http_headers
from notify.channels.phone import InvalidPhone, to_e164
from notify.channels.port import PermanentFailure, TemporaryFailure
from notify.messages.model import Channel, Message


class ClientCredentials:
    """An access token of notify's own Keycloak client, refreshed 30 s before it expires."""

    def __init__(self, issuer_url: str, client_id: str, client_secret: str, *, timeout: float = 10.0) -> None:
        self.issuer, self.client_id = issuer_url.rstrip("/"), client_id
        self._secret, self.timeout = client_secret, timeout
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._token[1]:
                self._token = self._fetch()
            return self._token[0]

    def _fetch(self) -> tuple[str, float]:
        try:
            with httpx.Client(timeout=self.timeout) as http:
                discovery = http.get(f"{self.issuer}/.well-known/openid-configuration")
                discovery.raise_for_status()
                answer = http.post(discovery.json()["token_endpoint"], data={"grant_type": "client_credentials"},
                                   auth=(self.client_id, self._secret))
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"token endpoint unreachable: {type(exc).__name__}") from None
        if answer.status_code != 200:
            raise TemporaryFailure(f"token endpoint refused client {self.client_id}: HTTP {answer.status_code}")
        body: dict[str, Any] = answer.json()
        return str(body["access_token"]), time.monotonic() + max(float(body.get("expires_in", 60)) - 30, 5)


class TokenSource(Protocol):
    def token(self) -> str: ...


class ServiceDirectory:
    def __init__(self, registration_url: str, credentials: TokenSource, unit_mailbox: str,
                 *, identity_url: str = "", timeout: float = 10.0, transport: httpx.BaseTransport | None = None
                 ) -> None:
        self.url = registration_url.rstrip("/") + "/api/v1/contacts/cases/"
        # A staff member's own e-mail and activation link: identity's staff-contact API (audited there).
        self.staff_url = identity_url.rstrip("/") + "/api/v1/staff-contacts/" if identity_url else ""
        self.credentials, self.unit_mailbox = credentials, unit_mailbox
        self.http = httpx.Client(timeout=timeout, transport=transport)

    def address(self, recipient: str, channel: Channel) -> str | None:
        kind, _, ref = recipient.partition(":")
        if kind == "unit":
            return self.unit_mailbox.format(unit=ref) if channel is Channel.EMAIL else None
        if kind == "staff":
            return self._staff_email(ref) if channel is Channel.EMAIL else None
        if kind != "debtor":
            return None
        contact = self._debtor(ref)
        if contact is None:
            return None
        if channel is Channel.LINE:
            return contact.get("line_user_id")
        if channel is Channel.SMS and contact.get("phone"):
            try:
                return to_e164(contact["phone"])
            except InvalidPhone:
                return None
        return None

    def _debtor(self, case_id: str) -> dict[str, Any] | None:
        try:
            answer = self.http.get(self.url + case_id, headers={"Authorization": f"Bearer {self.credentials.token()}",
                                                                **correlation_http_headers()})  # the read's audit
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"registration unreachable: {type(exc).__name__}") from None
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise TemporaryFailure(f"registration answered {answer.status_code} for a contact")
        body: dict[str, Any] = answer.json()
        return body

    def opted_out(self, message: Message, address: str) -> bool:
        return False  # opt-outs are notify's own record (notify.optout wraps this directory)

    def send_time_context(self, message: Message) -> dict[str, Any]:
        """A welcome's activation link, issued by identity for this send (a new one supersedes the last)."""
        if message.template != "staff_welcome":
            return {}
        ref = message.recipient.partition(":")[2]
        answer = self._identity("POST", f"{ref}/activation-link")
        if answer.status_code == 404:
            raise PermanentFailure("activation_not_requested: identity has no open activation for this account "
                                   "(already activated, or deactivated)")
        if answer.status_code != 200:
            raise TemporaryFailure(f"identity answered {answer.status_code} for an activation link")
        body: dict[str, Any] = answer.json()
        return {"activation_url": body["activation_url"], "link_expires_at": body["expires_at"]}

    def _staff_email(self, user_id: str) -> str | None:
        if not self.staff_url:
            return None
        answer = self._identity("GET", user_id)
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise TemporaryFailure(f"identity answered {answer.status_code} for a staff contact")
        body: dict[str, Any] = answer.json()
        return str(body["email"]) if body.get("email") and body.get("enabled") else None

    def _identity(self, method: str, path: str) -> httpx.Response:
        if not self.staff_url:
            raise PermanentFailure("no_contact: identity's staff-contact API is not configured")
        try:
            return self.http.request(method, self.staff_url + path, headers={
                "Authorization": f"Bearer {self.credentials.token()}", **correlation_http_headers()})
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"identity unreachable: {type(exc).__name__}") from None
