"""The contact directory with opt-outs honoured: the sender asks it, for every attempt, whether the address it was
given has stopped this message (so an opt-out counts from the moment it is recorded, even for messages planned
before), and it adds the opt-out link to optional SMS."""

from __future__ import annotations

from typing import Any

from notify.messages.model import Message
from notify.optout.rules import link_token, may_opt_out
from notify.optout.store import OptOuts
from notify.sending.ports import Directory


class OptOutDirectory:
    def __init__(self, inner: Directory, opt_outs: OptOuts, public_url: str) -> None:
        self.inner, self.opt_outs = inner, opt_outs
        self.link_base = public_url.rstrip("/") + "/optout/"

    def address(self, recipient: str, channel: Any) -> str | None:
        return self.inner.address(recipient, channel)

    def opted_out(self, message: Message, address: str) -> bool:
        if not may_opt_out(message.template, message.recipient, message.channel):
            return False  # a message the person needs, or a staff duty: never stopped
        return self.opt_outs.stopped(address) or self.inner.opted_out(message, address)

    def send_time_context(self, message: Message) -> dict[str, Any]:
        context = self.inner.send_time_context(message)
        if may_opt_out(message.template, message.recipient, message.channel):
            context["opt_out_url"] = self.link_base + link_token(self.opt_outs.key, message.id)
        return context
