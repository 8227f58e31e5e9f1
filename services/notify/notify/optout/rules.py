"""What may be stopped, how a reply is read, and how a number is kept (pure)."""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

from notify.messages.model import Channel

# Optional follow-ups a debtor may refuse. Everything else is a service message the person needs (the receipt of
# their registration, their mediation appointment and any change to it) or a staff duty (deadline reminders,
# overdue notices, returned reports, account welcomes): those are sent whatever the recipient asked.
OPTIONAL_TEMPLATES = frozenset({"mediation_outcome"})
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "ยกเลิก", "หยุด"})
START_WORDS = frozenset({"START", "UNSTOP", "รับ"})


class Reply(StrEnum):
    STOP = "stop"
    START = "start"


def may_opt_out(template: str, recipient: str, channel: Channel) -> bool:
    """Only a debtor, only an optional template, only by SMS (the number is what an opt-out names)."""
    return recipient.startswith("debtor:") and template in OPTIONAL_TEMPLATES and channel is Channel.SMS


def read_reply(text: str) -> Reply | None:
    """The first word of an inbound SMS, as gateways pass it on ("stop", " STOP ขอบคุณ", "ยกเลิก")."""
    words = text.strip().split()
    if not words:
        return None
    word = words[0].upper()
    if word in STOP_WORDS:
        return Reply.STOP
    if word in START_WORDS:
        return Reply.START
    return None


def number_key(key: bytes, e164: str) -> str:
    """The only form in which an opted-out number is kept: HMAC-SHA256 under notify's opt-out key (a plain hash of
    a 9-digit mobile number would be reversed by trying them all; without the key it cannot be)."""
    return hmac.new(key, b"optout:" + e164.encode(), hashlib.sha256).hexdigest()


def link_signature(key: bytes, message_id: str) -> str:
    return hmac.new(key, b"optout-link:" + message_id.encode(), hashlib.sha256).hexdigest()[:24]


def link_token(key: bytes, message_id: str) -> str:
    """``<message id>.<signature>``: names the message (so the number comes from its recipient, never from the
    link), and cannot be forged for another message."""
    return f"{message_id}.{link_signature(key, message_id)}"


def message_of(key: bytes, token: str) -> str | None:
    message_id, _, signature = token.partition(".")
    if len(message_id) != 32 or not hmac.compare_digest(signature, link_signature(key, message_id)):
        return None
    return message_id
