"""Request-scoped helpers the routers share: the audit trail of identity's own actions."""

from __future__ import annotations

from fastapi import Request

from contracts.claims import Claims
from contracts.web import client_address
from identity.adapters.audit_store import AuditStore
from identity.domain.audit import audit_event


def record_audit(
    request: Request,
    actor: Claims,
    action: str,
    *,
    outcome: str = "allowed",
    case_id: str | None = None,
    target: str | None = None,
) -> None:
    """Writes identity's own audit entry before the response is sent; a failure fails the request."""
    store: AuditStore = request.app.state.audit_store
    store.append(audit_event(
        actor, action, outcome=outcome, case_id=case_id, target=target,
        source_ip=client_address(request), request_id=request.headers.get("x-request-id"),
    ))
