"""Delivery reports from the SMS gateway: the gateway posts ``ref`` (our message id, or its own id) and a
``status`` (SMPP-style ``DELIVRD``, ``UNDELIV``, ``EXPIRED``, ``REJECTD``). A negative report turns a message
the gateway had accepted into a permanent failure."""

from __future__ import annotations

from datetime import datetime

from notify.messages.model import Channel, State
from notify.messages.store import MessageStore

DELIVERED = frozenset({"DELIVRD", "DELIVERED"})


def record_sms_receipt(store: MessageStore, ref: str, status: str, now: datetime) -> bool:
    """False when no SMS message has this reference."""
    message = store.get(ref) if len(ref) == 32 else None
    if message is None or message.channel is not Channel.SMS:
        message = store.by_provider_ref(Channel.SMS, ref)
    if message is None:
        return False
    status = status.upper()[:20]
    if status in DELIVERED:
        store.set_receipt(message.id, status)
    else:
        store.move(message.id, State.PERMANENT_FAILURE, now, receipt=status, reason=f"delivery report: {status}")
    return True
