"""The programme's first figure for operations: registrations by channel (self_online, thaid_app, desk, paper).

Counted once the case and its events are committed; a replay of the same idempotency key is not counted again.
"""

from __future__ import annotations

from prometheus_client import Counter

from registration.cases.model import Channel

REGISTRATIONS = Counter("registrations_total", "Cases registered, by channel (self_online, thaid_app: the citizen "
                        "online or through the ThaiD app; desk, paper: at a district office)", ["channel"])
for _channel in Channel:  # every channel from 0, so rate() and dashboards see a channel before its first case
    REGISTRATIONS.labels(_channel.value)


def registered(channel: Channel) -> None:
    REGISTRATIONS.labels(channel.value).inc()
