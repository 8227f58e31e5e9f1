"""The list of lenders with many debtors (``/casework/lenders``); the case page's panel is
``templates/lenders_panel.html``, fed by the ``lenders_for(case)`` template global (``Lenders.install``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from contracts.errors import ApiError
from registration.casework.lenders import Lenders
from registration.kernel.thai import normalise_digits
from registration.web.context import PageProblem, WebContext, actor, web

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
CASE_PAGE = "/casework/cases/{case_id}"  # where a receipt number links to
DEFAULT_MIN_DEBTORS, MAX_MIN_DEBTORS = 2, 1000


def _lenders(request: Request) -> Lenders:
    lenders: Lenders = request.app.state.lenders
    return lenders


def _min_debtors(raw: str | None) -> int:
    """The "at least N debtors" filter; anything unreadable is the default, not an error page."""
    digits = normalise_digits(raw or "")
    if not digits.isascii() or not digits.isdigit():
        return DEFAULT_MIN_DEBTORS
    return max(1, min(int(digits[:5]), MAX_MIN_DEBTORS))


def _code(raw: str | None) -> str | None:
    return (normalise_digits(raw)[:8] or None) if raw else None


@router.get("/casework/lenders")
def lender_list(ctx: Ctx, request: Request, min_debtors: str | None = None, district: str | None = None,
                province: str | None = None) -> Response:
    session = ctx.load_session(request)
    if session is None or session.kind != "staff" or session.claims is None:
        return RedirectResponse("/auth/signin?flow=staff&next=/casework/lenders", status_code=303)
    claims = session.claims
    try:
        found = _lenders(request).in_area(claims, actor(request, claims), district=_code(district),
                                          province=_code(province), min_debtors=_min_debtors(min_debtors))
    except ApiError as problem:
        raise PageProblem(problem.status, problem.th, problem.en) from None
    return ctx.render(request, "lenders.html", session=session, found=found, case_page=CASE_PAGE)
