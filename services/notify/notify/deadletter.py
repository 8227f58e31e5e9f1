"""Dead letters to Kafka (``notify-dead-letters``), acknowledged by all in-sync replicas before returning."""

from __future__ import annotations

from confluent_kafka import KafkaError, Producer
from confluent_kafka import Message as KafkaMessage

from contracts import codec
from notify.messages.model import Message

TOPIC = "notify-dead-letters"


def dead_letter_event(message: Message, reason: str) -> codec.Event:
    return codec.new_event(
        "MessageDeadLettered", 1, message_id=message.id, source_event_id=message.event_id,
        source_event_type=message.event_type, template=message.template, channel=message.channel.value,
        recipient_ref=message.recipient, provider=message.provider or message.channel.value,
        attempts=message.attempts, reason=reason[:500],
        case_id=message.case_id, unit_code=message.unit_code)


class KafkaDeadLetters:
    def __init__(self, bootstrap: str) -> None:
        self.producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                                  "log_level": 3})

    def publish(self, message: Message, reason: str) -> None:
        errors: list[KafkaError] = []

        def delivered(err: KafkaError | None, _: KafkaMessage) -> None:
            if err is not None:
                errors.append(err)

        event = dead_letter_event(message, reason)
        key, value, headers = codec.encode(TOPIC, event, validated=True)
        self.producer.produce(TOPIC, key=key, value=value, headers=headers, on_delivery=delivered)
        if self.producer.flush(10) or errors:
            raise RuntimeError(f"dead letter not acknowledged: {errors or 'timeout'}")

    def close(self) -> None:
        self.producer.flush(5)
