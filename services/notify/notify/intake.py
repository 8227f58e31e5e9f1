"""From a consumed event to stored messages: the ``apply`` the contracts consumer calls before committing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from contracts.logs import bound_correlation
from notify.messages.model import Channel, Message
from notify.messages.store import MessageStore
from notify.planning import plan
from notify.reminders.submissions import Submissions

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Intake:
    def __init__(self, store: MessageStore, *, debtor_channels: Sequence[Channel] = (Channel.SMS,),
                 clock: Clock = utc_now, submissions: Submissions | None = None) -> None:
        self.store, self.debtor_channels, self.clock = store, tuple(debtor_channels), clock
        self.submissions = submissions

    def apply(self, event: dict[str, Any]) -> bool:
        """True when new messages were stored; False for a redelivered event or one that asks for nothing.
        Returns only once the records are durable, so the consumer may then commit the offset."""
        return self.apply_batch([event]) > 0

    def apply_batch(self, events: list[dict[str, Any]], correlations: Mapping[str, str | None] | None = None) -> int:
        """Stores the messages of every event in one write; returns how many were new. Durable on return.
        ``correlations`` (event id -> correlation id from the Kafka header) is kept on each message."""
        now, messages, correlations = self.clock(), [], correlations or {}
        for event in events:
            correlation_id = correlations.get(event["event_id"])
            with bound_correlation(correlation_id):
                if self.submissions is not None and event["event_type"] in ("ReportSubmitted", "ReportReturned"):
                    self.submissions.record(event)  # for the reminders: who has not submitted
                messages += [Message.from_plan(event, p, now, correlation_id)
                             for p in plan(event, self.debtor_channels)]
        return self.store.add_all(messages)
