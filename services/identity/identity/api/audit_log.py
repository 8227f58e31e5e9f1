"""The audit log for auditors: search by actor, case, action and time, paginated (JSON and a page).
There is deliberately no route that changes or deletes an entry; every search is itself audited."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from contracts.access import may_read_audit
from contracts.api import error_responses
from contracts.claims import Claims, CurrentClaims
from identity.adapters.audit_store import AuditStore
from identity.api.deps import PageNumber, record_audit
from identity.domain.audit import MAX_PAGE_SIZE, AuditPage, AuditQuery, QueryError
from identity.web.pages import render
from identity.web.session import PageClaims, page_context

THAILAND = timezone(timedelta(hours=7))
FORBIDDEN = {"code": "access.auditors_only", "th": "เฉพาะผู้ตรวจสอบเท่านั้น", "en": "Auditors only"}

api = APIRouter(prefix="/api/v1/audit", tags=["audit"])
pages = APIRouter(tags=["audit pages"], include_in_schema=False)


def _when(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise QueryError("รูปแบบวันเวลาไม่ถูกต้อง", f"not an ISO date-time: {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=THAILAND)  # a form's local time is Thai time


def _search(request: Request, claims: Claims, params: dict[str, Any]) -> AuditPage:
    if not may_read_audit(claims):
        record_audit(request, claims, "audit.search", outcome="denied")
        raise HTTPException(403, detail=FORBIDDEN)
    query = AuditQuery(
        actor_sub=params.get("actor") or None, case_id=params.get("case_id") or None,
        action=params.get("action") or None, since=_when(params.get("since")), until=_when(params.get("until")),
        page=params.get("page") or 1, page_size=params.get("page_size") or 50,
    )
    store: AuditStore = request.app.state.audit_store
    result = store.search(query)
    # What was searched goes in ``target``, not ``case_id``: the auditor read the log, not the case.
    searched = " ".join(f"{k}:{v}" for k, v in (("case", query.case_id), ("actor", query.actor_sub)) if v)
    record_audit(request, claims, "audit.search", target=searched[:128] or None)
    return result


Text = Annotated[str | None, Query(max_length=128)]


@api.get("", responses=error_responses(403))
def search(request: Request, claims: CurrentClaims, actor: Text = None, case_id: Text = None,
           action: Text = None, since: Text = None, until: Text = None,
           page: PageNumber = 1,
           page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50) -> dict[str, Any]:
    params = {"actor": actor, "case_id": case_id, "action": action, "since": since, "until": until,
              "page": page, "page_size": page_size}
    try:
        result = _search(request, claims, params)
    except QueryError as exc:
        raise HTTPException(422, detail={"code": "audit.query_invalid", "th": exc.th, "en": exc.en}) from None
    return {"total": result.total, "page": page, "page_size": page_size, "has_next": result.has_next,
            "entries": result.entries}


@pages.get("/audit", response_class=HTMLResponse)
def search_page(request: Request, claims: PageClaims, actor: Text = None, case_id: Text = None,
                action: Text = None, since: Text = None, until: Text = None,
                page: PageNumber = 1) -> Response:
    params = {"actor": actor, "case_id": case_id, "action": action, "since": since, "until": until,
              "page": page, "page_size": 50}
    context = page_context(request, claims)
    try:
        result = _search(request, claims, params)
    except QueryError as exc:
        return render(request, "audit.html", status_code=422, params=params, error={"th": exc.th, "en": exc.en},
                      **context)
    base = {k: v for k, v in params.items() if v and k not in ("page", "page_size")}
    return render(request, "audit.html", params=params, result=result, base=base, **context)
