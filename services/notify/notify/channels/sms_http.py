"""A generic HTTP SMS gateway, shaped like the Thai bulk-SMS gateways: HTTP basic auth, a form post of
``msisdn``, ``message``, ``sender`` and our ``ref``; the gateway answers with its own message id and later
posts a delivery report to our callback (``/api/v1/receipts/sms``)."""

from __future__ import annotations

import httpx

from notify.channels.port import PermanentFailure, TemporaryFailure
from notify.messages.model import Channel, Message
from notify.messages.templates import Rendered


class HttpSmsProvider:
    channel = Channel.SMS

    def __init__(self, url: str, username: str, password: str, sender: str, *, callback_url: str = "",
                 timeout: float = 10.0, name: str = "sms-gateway") -> None:
        self.url, self.sender, self.callback_url, self.name = url, sender, callback_url, name
        self.http = httpx.Client(auth=(username, password), timeout=timeout)

    def send(self, message: Message, address: str, rendered: Rendered) -> str:
        form = {"msisdn": address.removeprefix("+"), "message": rendered.text, "sender": self.sender,
                "ref": message.id}
        if self.callback_url:
            form["callback_url"] = self.callback_url
        try:
            response = self.http.post(self.url, data=form)
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"sms gateway unreachable: {type(exc).__name__}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryFailure(f"sms gateway answered {response.status_code}")
        if response.status_code >= 400:
            raise PermanentFailure(f"sms gateway refused: {response.status_code} {response.text[:120]}")
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError):
            return message.id  # accepted without an id: our reference is what its receipt will name

    def close(self) -> None:
        self.http.close()
