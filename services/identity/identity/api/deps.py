"""Request-scoped helpers the routers share: the audit trail of identity's own actions, paging bounds."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from contracts.claims import Claims
from contracts.web import client_address
from identity.adapters.audit_store import AuditStore
from identity.domain.audit import MAX_PAGE, audit_event

# Every paginated route takes its page number through this: bounded, so no request can ask a store to
# skip an absurd number of entries (page=10**18 is a 422, not a database error).
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"1–{MAX_PAGE}")]


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
