"""A message and its life: created → sending → delivered / temporary failure / permanent failure.

The allowed transitions are data (``TRANSITIONS``), not a long ``match``. A message is identified by
(event id, template, recipient reference) so a redelivered event or a restarted notify cannot create it twice.
Pure: no I/O library imported here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class State(StrEnum):
    CREATED = "created"
    SENDING = "sending"
    DELIVERED = "delivered"
    TEMPORARY_FAILURE = "temporary_failure"
    PERMANENT_FAILURE = "permanent_failure"
    NOT_SENT = "not_sent"  # deliberately not sent: the recipient opted out of this (optional) message


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    LINE = "line"


TRANSITIONS: dict[State, frozenset[State]] = {
    State.CREATED: frozenset({State.SENDING}),
    # A provider that accepted the message may still report failure later (a delivery receipt).
    State.SENDING: frozenset({State.DELIVERED, State.TEMPORARY_FAILURE, State.PERMANENT_FAILURE, State.NOT_SENT}),
    State.TEMPORARY_FAILURE: frozenset({State.SENDING, State.PERMANENT_FAILURE}),
    State.DELIVERED: frozenset({State.PERMANENT_FAILURE}),  # a late negative receipt
    State.PERMANENT_FAILURE: frozenset(),
    State.NOT_SENT: frozenset(),
}
# States the sender picks messages up from.
DUE_STATES = (State.CREATED, State.TEMPORARY_FAILURE)


def may_move(current: State, to: State) -> bool:
    return to in TRANSITIONS[current]


def message_id(event_id: str, template: str, recipient: str, channel: Channel) -> str:
    """Deterministic id: the same (event, template, recipient) always names the same message. The recipient
    is a person or unit *on a channel*: the debtor's SMS and their LINE push are two messages."""
    return hashlib.sha256(f"{event_id}\x1f{template}\x1f{recipient}\x1f{channel.value}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Planned:
    """What an event asks for, before anything is stored: a template to send to a recipient on a channel.

    ``recipient`` is a reference (``debtor:<case_id>``, ``unit:<code>``, ``staff:<user id>``), never a phone
    number or address: contacts are looked up at send time from the service that owns them.
    """

    template: str
    channel: Channel
    recipient: str
    context: dict[str, Any]
    case_id: str | None = None
    unit_code: str | None = None


@dataclass
class Message:
    id: str
    event_id: str
    event_type: str
    template: str
    channel: Channel
    recipient: str
    context: dict[str, Any]
    created_at: datetime
    state: State = State.CREATED
    case_id: str | None = None
    unit_code: str | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    provider: str | None = None
    provider_ref: str | None = None
    receipt: str | None = None
    reason: str | None = None
    dead_lettered: bool = False
    address_hint: str | None = None  # the address sent to, masked (staff lookups show no full number)
    correlation_id: str | None = None  # the request that caused it (Kafka header of its event), for tracing
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_plan(cls, event: dict[str, Any], plan: Planned, now: datetime,
                  correlation_id: str | None = None) -> Message:
        return cls(
            id=message_id(event["event_id"], plan.template, plan.recipient, plan.channel),
            event_id=event["event_id"], event_type=event["event_type"], template=plan.template,
            channel=plan.channel, recipient=plan.recipient, context=plan.context, created_at=now,
            case_id=plan.case_id, unit_code=plan.unit_code, next_attempt_at=now, correlation_id=correlation_id,
        )
