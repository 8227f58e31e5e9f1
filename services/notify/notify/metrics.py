"""Notify's queue for Prometheus: messages waiting to be sent, by channel and state, read at scrape time.

What happened to messages is counted where it happens (``notify_messages_total{channel, outcome}`` in
``notify.sending.worker``: delivered, temporary_failure, dead_lettered, opted_out). What waits now (created,
sending, temporary_failure) is asked of MongoDB when Prometheus scrapes, on the ``(channel, state, ...)`` index,
bounded by a short timeout: a queue that grows while the sender is stuck shows even though the sender counts
nothing. Final states are not counted here: they grow without bound and the counters already tell them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pymongo
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from pymongo.collection import Collection

from contracts.outbox_metrics import count
from notify.messages.model import Channel, State

log = logging.getLogger(__name__)
WAITING = "notify_messages_waiting"
WAITING_HELP = "Messages not yet in a final state, by channel and state (created, sending, temporary_failure)"
WAITING_STATES = (State.CREATED, State.SENDING, State.TEMPORARY_FAILURE)
TIMEOUT_S = 1.0


def waiting(messages: Collection[Any], timeout: float = TIMEOUT_S) -> dict[tuple[str, str], int]:
    with pymongo.timeout(timeout):
        return {(channel.value, state.value): count(messages, {"channel": {"$eq": channel.value},
                                                               "state": {"$eq": state.value}})
                for channel in Channel for state in WAITING_STATES}


class WaitingCollector(Collector):
    def __init__(self) -> None:
        self._messages: Collection[Any] | None = None
        self._lock = threading.Lock()
        self._failing = False

    def watch(self, messages: Collection[Any]) -> Callable[[], None]:
        with self._lock:
            self._messages = messages

        def forget() -> None:
            with self._lock:
                if self._messages is messages:
                    self._messages = None

        return forget

    def describe(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(WAITING, WAITING_HELP, labels=["channel", "state"])

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(WAITING, WAITING_HELP, labels=["channel", "state"])
        with self._lock:
            messages = self._messages
        if messages is not None:
            try:
                counts = waiting(messages)
            except Exception as exc:  # noqa: BLE001 - a scrape must not fail because MongoDB is slow or down
                if not self._failing:
                    log.warning("waiting messages not counted: MongoDB did not answer (%s)", exc)
                self._failing = True
            else:
                self._failing = False
                for (channel, state), count in sorted(counts.items()):
                    family.add_metric([channel, state], count)
        yield family


WAITING_MESSAGES = WaitingCollector()
REGISTRY.register(WAITING_MESSAGES)


def watch_messages(messages: Collection[Any]) -> Callable[[], None]:
    """In notify's lifespan; returns the call that stops counting (at shutdown)."""
    return WAITING_MESSAGES.watch(messages)
