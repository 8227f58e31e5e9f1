"""A registered citizen adds to their own case (one case per citizen: never a second form): more creditors
with their debts, or more debts owed to a creditor already on it. The forms are ``case_forms``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from registration.cases.case import Case
from registration.intake.case_forms import (
    CaseForms,
    creditor_number,
    save_creditors,
    save_debts,
    show_creditors,
    show_debts,
)
from registration.intake.flow import PUBLIC, intake, require_post_session, sign_in_redirect, signed_in
from registration.web.context import PageProblem, WebContext, WebSession, actor, posted_form, web

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
Form = Annotated[FormData, Depends(posted_form)]
CreditorNo = Annotated[str, Path()]  # any text: creditor_number() answers with a page, never a JSON 422
BASE = "/register/more"


def _own_case(request: Request, session: WebSession) -> tuple[Case, CaseForms]:
    """The citizen's case, its read recorded before the page shows it; 404 before they have registered."""
    claims = session.claims
    case = intake(request).read_own(claims, actor(request, claims)) if claims else None
    if case is None:
        raise PageProblem(404, "ท่านยังไม่ได้ลงทะเบียน", "You have not registered yet.", sign_in="/register")
    return case, CaseForms(PUBLIC, case.id, BASE, "/register/status?added=1")


def _sign_in(path: str) -> RedirectResponse:
    return sign_in_redirect(PUBLIC, path)


@router.get("/register/more")
def more_page(ctx: Ctx, request: Request) -> Response:
    session = signed_in(ctx, request, PUBLIC)
    if session is None:
        return _sign_in(BASE)
    case, where = _own_case(request, session)
    return show_creditors(ctx, request, session, case, where)


@router.post("/register/more")
def more_post(ctx: Ctx, request: Request, form: Form) -> Response:
    session = require_post_session(ctx, request, PUBLIC, form, back=BASE)
    case, where = _own_case(request, session)
    return save_creditors(ctx, request, session, case, where, form)


@router.get("/register/more/creditors/{creditor_no}/debts")
def more_debts_page(ctx: Ctx, request: Request, creditor_no: CreditorNo) -> Response:
    session = signed_in(ctx, request, PUBLIC)
    if session is None:
        return _sign_in(request.url.path)
    case, where = _own_case(request, session)
    return show_debts(ctx, request, session, case, where, creditor_number(creditor_no))


@router.post("/register/more/creditors/{creditor_no}/debts")
def more_debts_post(ctx: Ctx, request: Request, creditor_no: CreditorNo, form: Form) -> Response:
    session = require_post_session(ctx, request, PUBLIC, form, back=request.url.path)
    case, where = _own_case(request, session)
    return save_debts(ctx, request, session, case, where, creditor_number(creditor_no), form)
