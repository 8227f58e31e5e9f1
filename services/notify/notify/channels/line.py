"""LINE Messaging API push (``POST /v2/bot/message/push``) with ``X-Line-Retry-Key``: a push retried with the
same key is not delivered twice; LINE answers 409 to a key it has already accepted."""

from __future__ import annotations

import uuid

import httpx

from notify.channels.port import PermanentFailure, TemporaryFailure
from notify.messages.model import Channel, Message
from notify.messages.templates import Rendered


def retry_key(message: Message) -> str:
    """LINE wants a UUID; the message id (32 hex digits) is one, so every retry of a message reuses it."""
    return str(uuid.UUID(message.id))


class LineProvider:
    channel = Channel.LINE

    def __init__(self, base_url: str, channel_token: str, *, timeout: float = 10.0, name: str = "line") -> None:
        self.url = base_url.rstrip("/") + "/v2/bot/message/push"
        self.name = name
        self.http = httpx.Client(headers={"Authorization": f"Bearer {channel_token}"}, timeout=timeout)

    def send(self, message: Message, address: str, rendered: Rendered) -> str:
        key = retry_key(message)
        body = {"to": address, "messages": [{"type": "text", "text": rendered.text[:5000]}]}
        try:
            response = self.http.post(self.url, json=body, headers={"X-Line-Retry-Key": key})
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"line unreachable: {type(exc).__name__}") from None
        if response.status_code == 409:  # the same retry key was accepted before: already sent
            return str(response.headers.get("x-line-accepted-request-id", key))
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryFailure(f"line answered {response.status_code}")
        if response.status_code >= 400:
            raise PermanentFailure(f"line refused: {response.status_code} {response.text[:120]}")
        return str(response.headers.get("x-line-request-id", key))

    def close(self) -> None:
        self.http.close()
