"""The audit trail every feature writes to: who read or tried what, through the outbox like every event."""

from __future__ import annotations

from collections.abc import Callable

from registration.cases.events import Actor, AuditAction, audit_recorded
from registration.cases.store import CaseRepository


class AuditTrail:
    def __init__(self, cases: CaseRepository, on_commit: Callable[[], None] = lambda: None) -> None:
        self.cases = cases
        self.on_commit = on_commit

    def record(self, actor: Actor, action: AuditAction, allowed: bool, case_id: str | None) -> None:
        self.cases.record(audit_recorded(actor, action, allowed, case_id))
        self.on_commit()

    def signin(self, actor: Actor, allowed: bool) -> None:
        """A sign-in to the pages (``session.signin``)."""
        self.record(actor, AuditAction.SIGNIN, allowed, None)
