"""The outbox's way to Kafka: group commit of registrations, the relay and its lease."""
