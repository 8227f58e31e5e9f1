"""The one port every channel implements, and the two ways a send can fail."""

from __future__ import annotations

from typing import Protocol

from notify.messages.model import Channel, Message
from notify.messages.templates import Rendered


class TemporaryFailure(Exception):
    """Worth retrying: the provider is down, slow, rate limiting or answered 5xx."""


class PermanentFailure(Exception):
    """Retrying cannot help: the address is invalid, the provider refused the message (4xx)."""


class Provider(Protocol):
    channel: Channel
    name: str

    def send(self, message: Message, address: str, rendered: Rendered) -> str:
        """Hands the message to the provider; returns the provider's reference for it.

        ``message.id`` goes to the provider as its idempotency key where the provider has one (LINE's
        ``X-Line-Retry-Key``, the SMS gateway's client reference, SMTP's Message-ID)."""
        ...
