"""Publishes pending ``StaffProvisioned`` events from the activations' outbox to ``staff-events``; an event is
marked published only once the broker acknowledged it (acks=all, idempotent producer). The loop is
``contracts.outbox_relay``'s; this module says where the events are and how they are sent.

Provisioning is rare (a few hundred accounts per import at most), so a simple loop is enough: every half second
(or at once when woken after an import) it hands what is pending to the producer and waits for the acks. With
several identity replicas each relay may publish the same event; notify's message id (event id, template,
recipient) makes the second one a no-op, so no lease is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from confluent_kafka import Producer

from contracts import codec
from contracts.outbox_relay import Doc, PollingRelay, Record, producer_config
from identity.activation.store import ActivationStore

TOPIC = "staff-events"
log = logging.getLogger(__name__)


class WelcomeRelay(PollingRelay):
    def __init__(self, store: ActivationStore, bootstrap: str, *, interval: float = 0.5) -> None:
        self.store = store
        super().__init__(Producer(producer_config(bootstrap)), interval=interval,
                         thread_name="identity-welcome-relay", log=log)

    def pending(self) -> Sequence[Doc]:
        return self.store.pending_events()  # the events themselves, stored beside each activation

    def record(self, doc: Doc) -> Record:
        return Record(TOPIC, *codec.encode(TOPIC, doc, validated=True))  # validated by codec.new_event

    def mark_sent(self, docs: list[Doc]) -> None:
        for event in docs:
            self.store.mark_published(event["account_id"], event["event_id"])

    def describe(self, doc: Doc) -> str:
        return f"StaffProvisioned {doc['event_id']}"
