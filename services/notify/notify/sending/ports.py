"""What the sender needs from outside: contact addresses and a dead-letter sink."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Protocol

from notify.messages.model import Channel, Message


class Directory(Protocol):
    def address(self, recipient: str, channel: Channel) -> str | None:
        """The recipient's address on ``channel`` (E.164 phone, e-mail, LINE user id), or None if it has none
        (or has opted out of that channel). Reads of a debtor's contact are audited by the owning service."""
        ...

    def opted_out(self, message: Message, address: str) -> bool:
        """True when the recipient stopped this (optional) message at this address: it is recorded, not sent."""
        ...

    def send_time_context(self, message: Message) -> dict[str, Any]:
        """What the template needs that must not be stored with the message (an activation link): made for this
        send only. Raises TemporaryFailure / PermanentFailure like a provider."""
        ...


class DeadLetters(Protocol):
    def publish(self, message: Message, reason: str) -> None: ...


class StaticDirectory:
    """Addresses from a mapping ``{(recipient, channel): address}``: tests and the dev stack."""

    def __init__(self, addresses: Mapping[tuple[str, Channel], str]) -> None:
        self.addresses = dict(addresses)

    def address(self, recipient: str, channel: Channel) -> str | None:
        return self.addresses.get((recipient, channel))

    def opted_out(self, message: Message, address: str) -> bool:
        return False

    def send_time_context(self, message: Message) -> dict[str, Any]:
        return {}


class DevDirectory:
    """The dev stack's made-up contacts: every debtor has a test phone and LINE id, every unit a mailbox.
    The numbers are in Thailand's fictitious range and reach only the loopback sinks."""

    def address(self, recipient: str, channel: Channel) -> str | None:
        kind, _, ref = recipient.partition(":")
        digits = str(int(hashlib.sha256(ref.encode()).hexdigest(), 16) % 10_000_000).zfill(7)
        if kind == "debtor" and channel is Channel.SMS:
            return f"+6681{digits}"
        if kind == "debtor" and channel is Channel.LINE:
            return "U" + (ref.encode().hex() + "0" * 32)[:32]
        if kind == "unit" and channel is Channel.EMAIL:
            return f"saraban.{ref}@dopa.example"
        if kind == "staff" and channel is Channel.EMAIL:
            return f"staff.{ref[:12]}@dopa.example"
        return None

    def opted_out(self, message: Message, address: str) -> bool:
        return False

    def send_time_context(self, message: Message) -> dict[str, Any]:
        if message.template == "staff_welcome":  # no identity here: a link that says what it is
            return {"activation_url": f"http://127.0.0.1:8002/activate/dev-stack-without-identity-{message.id}"}
        return {}
