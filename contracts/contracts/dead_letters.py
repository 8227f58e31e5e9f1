"""Dead letters for events that break their contract: ``event-dead-letters``, one ``EventRejected`` v1 each.

A consumer that cannot accept a message (not JSON, no type or version, a schema violation, a type its topic
does not carry) sends it here with the reason and where it was read, and commits past it only once the
broker acknowledged the dead letter: the stream goes on, and the message is kept for someone to look at
instead of being only counted. The raw value is kept as text, cut at ``RAW_LIMIT`` characters.

Used by ``contracts.consumer.EventConsumer``, notify's batch consumer and reporting's stream worker.
"""

from __future__ import annotations

from typing import Any, Protocol

from confluent_kafka import KafkaError, Message, Producer

from contracts import codec
from contracts.logs import correlation_header, kafka_logging

TOPIC = "event-dead-letters"
RAW_LIMIT = 4096
REASON_LIMIT = 500


class DeadLetterNotAcknowledged(RuntimeError):
    """The broker did not acknowledge the dead letter: the consumer must not commit past the message."""


class _Producer(Protocol):  # confluent_kafka.Producer, or a fake in unit tests
    def produce(self, topic: str, *args: Any, **kwargs: Any) -> None: ...

    def flush(self, *args: Any, **kwargs: Any) -> int: ...

    def close(self, *args: Any, **kwargs: Any) -> Any: ...


def raw_text(raw: bytes | None) -> tuple[str | None, bool]:
    """The value as text (undecodable bytes replaced) and whether it was cut."""
    if raw is None:
        return None, False
    text = raw.decode("utf-8", errors="replace")
    return text[:RAW_LIMIT], len(text) > RAW_LIMIT


def event_rejected(consumer: str, source_topic: str, partition: int, offset: int, raw: bytes | None,
                   reason: str, correlation_id: str | None) -> codec.Event:
    text, truncated = raw_text(raw)
    return codec.new_event(
        "EventRejected", 1, consumer_group=consumer[:128], source_topic=source_topic,
        source_partition=max(partition, 0), source_offset=max(offset, 0),
        reason=(reason or "rejected")[:REASON_LIMIT], raw_value=text, raw_truncated=truncated,
        correlation_id=correlation_id)


class DeadLetterPublisher:
    """Synchronous on purpose: ``publish`` returns once all in-sync replicas acknowledged, or raises."""

    def __init__(self, bootstrap: str, consumer: str, *, timeout: float = 10.0,
                 producer: _Producer | None = None) -> None:
        self.consumer = consumer  # the consumer group that rejects, named in each dead letter
        self.timeout = timeout
        self.producer: _Producer = producer or Producer({
            **kafka_logging(), "bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
            "log_level": 3})

    def publish(self, source_topic: str, partition: int, offset: int, raw: bytes | None, reason: str,
                correlation_id: str | None) -> None:
        errors: list[KafkaError] = []

        def delivered(err: KafkaError | None, _: Message) -> None:
            if err is not None:
                errors.append(err)

        event = event_rejected(self.consumer, source_topic, partition, offset, raw, reason, correlation_id)
        key, value, headers = codec.encode(TOPIC, event, validated=True)
        headers += correlation_header(correlation_id)
        self.producer.produce(TOPIC, value=value, key=key, headers=headers, on_delivery=delivered)
        if self.producer.flush(self.timeout) or errors:
            raise DeadLetterNotAcknowledged(f"dead letter for {source_topic}[{partition}]@{offset} not acknowledged: "
                                            f"{errors or 'timeout'}")

    def close(self) -> None:
        """With the consumer: whatever was published is acknowledged already; closing stops reconnecting."""
        self.producer.flush(5)
        self.producer.close()
