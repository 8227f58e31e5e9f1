"""The dashboards: pages for the nation, a province and a district, and their server-sent event stream.

Thin: scope from ``scope`` (``contracts.access.totals_scope``), figures from ``snapshot``, pages from the
shared ``render``. The stream sends the unit's snapshot whenever ``TotalsView.changes()`` names a unit
inside it, at most once a second, each event's id being the view's version: a browser that reconnects
(EventSource does, after ``retry``) with ``Last-Event-ID`` equal to the current version is not sent the
same figures again. A stream ends after ``max_seconds`` (the browser reconnects), so no connection lives
on forever behind a proxy.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from contracts.claims import Claims
from reporting.dashboards import areas
from reporting.dashboards.scope import Unit, concerns, home_unit, may_view
from reporting.dashboards.snapshot import COLUMNS, GROUPS, SERIES, Snapshots, TotalsSource
from reporting.dashboards.tilemap import COLUMNS as MAP_COLUMNS
from reporting.dashboards.tilemap import ROWS as MAP_ROWS
from reporting.dashboards.tilemap import TILES, too_wide
from reporting.totals.figures import FIGURES
from reporting.web import PREFIX, PageProblem, render, staff, web

BASE = f"{PREFIX}/dashboards"
router = APIRouter(prefix=BASE, include_in_schema=False)
Staff = Annotated[Claims, Depends(staff)]
RETRY_MS = 3000
MIN_INTERVAL = 1.0  # seconds between two snapshots on one stream
KEEP_ALIVE = 20.0  # a comment line this often keeps proxies from closing a quiet stream


def _source(request: Request) -> TotalsSource:
    view: TotalsSource = request.app.state.totals_view
    return view


def _snapshots(request: Request) -> Snapshots:
    state = request.app.state
    if not hasattr(state, "dashboard_snapshots"):
        state.dashboard_snapshots = Snapshots()
    snapshots: Snapshots = state.dashboard_snapshots
    return snapshots


def _checked(claims: Claims, level: str, code: str) -> Unit:
    """The unit, if it exists and the person may see it; 404 for a unit that does not exist, 403 otherwise."""
    exists = (level == "nation" and code == "") or (
        level == "province" and len(code) == 2 and areas.province(code) is not None) or (
        level == "district" and len(code) == 4 and areas.area(code) is not None)
    if not exists:
        raise PageProblem(404, "ไม่พบหน่วยการปกครองนี้", "No such administrative unit.")
    if not may_view(claims, (level, code)):
        raise PageProblem(403, "ไม่มีสิทธิ์ดูรายงานของหน่วยนี้", "You may not see the figures of this unit.")
    return (level, code)


def page_path(level: str, code: str) -> str:
    return f"{BASE}/nation" if level == "nation" else f"{BASE}/{level}/{code}"


@router.get("")
def my_dashboard(claims: Staff) -> Response:
    """The dashboard of the person's own unit."""
    home = home_unit(claims)
    if home is None:
        raise PageProblem(403, "ไม่มีสิทธิ์ดูรายงาน", "You may not see the figures.")
    return RedirectResponse(page_path(*home), status_code=303)


def _page(request: Request, claims: Claims, level: str, code: str) -> Response:
    unit = _checked(claims, level, code)
    lang = web(request).lang(request)
    data = _snapshots(request).get(_source(request), unit, lang)
    home = home_unit(claims)
    trail = []  # nation → province → district, as far as the person may go
    if level != "nation" and may_view(claims, ("nation", "")):
        trail.append((areas.NATION.name(lang), page_path("nation", "")))
    if level == "district" and may_view(claims, ("province", code[:2])):
        province = areas.province(code[:2])
        trail.append((province.name(lang) if province else code[:2], page_path("province", code[:2])))
    return render(request, "dashboard.html", {
        "snap": data, "groups": GROUPS, "labels": FIGURES, "columns": COLUMNS, "series_names": SERIES,
        "trail": trail, "home": home, "page_path": page_path,
        "stream_url": f"{BASE}/events?level={level}&code={code}",
        "tiles": TILES if level == "nation" else {}, "too_wide": too_wide,
        "map_rows": MAP_ROWS, "map_columns": MAP_COLUMNS,
        "data_json": json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"),  # safe inside <script>
    })


@router.get("/nation")
def nation(request: Request, claims: Staff) -> Response:
    return _page(request, claims, "nation", "")


@router.get("/province/{code}")
def province(request: Request, claims: Staff, code: str) -> Response:
    return _page(request, claims, "province", code)


@router.get("/district/{code}")
def district(request: Request, claims: Staff, code: str) -> Response:
    return _page(request, claims, "district", code)


def _event(data: dict[str, Any]) -> str:
    return f"id: {data['version']}\nevent: figures\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def figure_events(source: TotalsSource, unit: Unit, lang: str, last_seen: str | None,
                        max_seconds: float, snapshots: Snapshots | None = None) -> AsyncIterator[str]:
    """The stream's text: ``retry``, the snapshot unless the browser already has this version, then a new
    snapshot after every change inside ``unit``, until ``max_seconds`` have passed."""
    snapshots = snapshots or Snapshots()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max_seconds
    changes = source.changes()
    # Subscribe before reading, so a change between the read and the subscription is not lost.
    waiting: asyncio.Future[set[Unit]] = asyncio.ensure_future(anext(changes))
    await asyncio.sleep(0)
    yield f"retry: {RETRY_MS}\n\n"
    try:
        if last_seen != str(source.version):
            yield _event(await to_thread.run_sync(snapshots.get, source, unit, lang))
        sent_at = loop.time()
        while (left := deadline - loop.time()) > 0:
            done, _ = await asyncio.wait({waiting}, timeout=min(left, KEEP_ALIVE))
            if not done:
                if deadline - loop.time() > 0:
                    yield ": keep-alive\n\n"
                continue
            changed = waiting.result()
            waiting = asyncio.ensure_future(anext(changes))
            if not concerns(unit, changed):
                continue
            await asyncio.sleep(max(0.0, sent_at + MIN_INTERVAL - loop.time()))  # later changes ride along
            yield _event(await to_thread.run_sync(snapshots.get, source, unit, lang))
            sent_at = loop.time()
    finally:
        # Cancelling the pending read ends the subscription (TotalsView.changes drops its watcher).
        waiting.cancel()


@router.get("/events")
async def events(request: Request, claims: Staff,
                 level: Annotated[str, Query(max_length=10)],
                 code: Annotated[str, Query(max_length=4)] = "",
                 max_seconds: Annotated[float, Query(ge=0, le=3600)] = 900) -> Response:
    """Server-sent events: the unit's snapshot now and after every change (scope checked as for the page)."""
    unit = _checked(claims, level, code)
    source = _source(request)
    body = figure_events(source, unit, web(request).lang(request), request.headers.get("last-event-id"),
                         max_seconds, _snapshots(request))
    return StreamingResponse(body, media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
