"""Publishes pending ``StaffProvisioned`` events from the activations' outbox to ``staff-events``; an event is
marked published only once the broker acknowledged it (acks=all, idempotent producer).

Provisioning is rare (a few hundred accounts per import at most), so a simple loop is enough: every half second
(or at once when woken after an import) it hands what is pending to the producer and waits for the acks. With
several identity replicas each relay may publish the same event; notify's message id (event id, template,
recipient) makes the second one a no-op, so no lease is needed.
"""

from __future__ import annotations

import logging
import threading
from functools import partial
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from contracts import codec
from identity.activation.store import ActivationStore

TOPIC = "staff-events"
log = logging.getLogger(__name__)


class WelcomeRelay:
    def __init__(self, store: ActivationStore, bootstrap: str, *, interval: float = 0.5) -> None:
        self.store, self.interval = store, interval
        self.producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                                  "message.timeout.ms": 60_000})
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="identity-welcome-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        self.producer.purge()  # what is unacknowledged stays pending in MongoDB for the next start
        self.producer.flush(1.0)
        self.producer.close()  # no reconnecting to a broker that may be gone

    def publish_pending(self, flush_timeout: float = 10.0) -> int:
        """Hands every pending event to Kafka; returns how many the broker acknowledged."""
        acknowledged: list[tuple[str, str]] = []

        def on_delivery(event: dict[str, Any], err: KafkaError | None, _msg: Message) -> None:
            if err is None:
                acknowledged.append((event["account_id"], event["event_id"]))
            else:
                log.warning("StaffProvisioned %s not acknowledged (%s); it stays pending", event["event_id"], err)

        events = self.store.pending_events()
        for event in events:
            key, value, headers = codec.encode(TOPIC, event, validated=True)  # validated by codec.new_event
            self.producer.produce(TOPIC, value=value, key=key, headers=headers,
                                  on_delivery=partial(on_delivery, event))
        if events:
            self.producer.flush(flush_timeout)
        for user_id, event_id in acknowledged:
            self.store.mark_published(user_id, event_id)
        return len(acknowledged)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.publish_pending()
            except Exception:  # the database or the broker broke: the events wait in MongoDB
                log.exception("welcome relay cycle failed; retrying")
            self._wake.wait(self.interval)
            self._wake.clear()
