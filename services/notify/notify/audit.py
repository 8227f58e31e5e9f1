"""AuditRecorded events for staff reads of what was sent to a debtor (personal data), on ``audit-events``."""

from __future__ import annotations

from typing import Protocol

from confluent_kafka import Producer

from contracts import codec
from contracts.claims import Claims
from contracts.logs import correlation_header, current_correlation_id


class Audit(Protocol):
    def record(self, claims: Claims, action: str, outcome: str, *, case_id: str | None = None,
               target: str | None = None) -> None: ...


class KafkaAudit:
    def __init__(self, bootstrap: str) -> None:
        self.producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                                  "log_level": 3})

    def record(self, claims: Claims, action: str, outcome: str, *, case_id: str | None = None,
               target: str | None = None) -> None:
        event = codec.new_event("AuditRecorded", 1, service="notify", actor_sub=claims.sub,
                                actor_roles=sorted(r.value for r in claims.roles), actor_unit_code=claims.unit_code,
                                action=action, outcome=outcome, case_id=case_id, target=target)
        key, value, headers = codec.encode("audit-events", event, validated=True)
        headers += correlation_header(current_correlation_id())  # the staff request that read it
        self.producer.produce("audit-events", key=key, value=value, headers=headers)
        # A read is answered only once its audit record is on the broker.
        if self.producer.flush(10):
            raise RuntimeError("audit record not acknowledged")

    def close(self) -> None:
        self.producer.flush(5)
