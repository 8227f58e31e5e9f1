"""A desk adds to an existing case of its unit: the case a registration ran into ("already registered", 409),
or any case the officer may change (``contracts.access.may_change_case``: the case's own district or desk).
Other desks get 404 (403 if they may read the case); province officers and DOPA do not use desk pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from registration.cases.case import Case
from registration.cases.errors import Forbidden, NotFound
from registration.intake.case_forms import (
    CaseForms,
    creditor_number,
    save_creditors,
    save_debts,
    show_creditors,
    show_debts,
)
from registration.intake.flow import (
    DESK,
    NOT_FOUND,
    intake,
    require_post_session,
    sign_in_redirect,
    signed_in,
)
from registration.web.context import PageProblem, WebContext, WebSession, actor, posted_form, web

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
Form = Annotated[FormData, Depends(posted_form)]
CaseId = Annotated[str, Path()]  # not bounded here (open_for_change cuts it): a wrong one gets the 404 page
CreditorNo = Annotated[str, Path()]  # any text: creditor_number() answers with a page, never a JSON 422


def _case(request: Request, session: WebSession, case_id: str) -> tuple[Case, CaseForms]:
    claims = session.claims
    assert claims is not None  # signed_in() checked the desk roles
    try:
        case = intake(request).open_for_change(case_id, claims, actor(request, claims))
    except Forbidden:
        raise PageProblem(403, "ท่านดูรายการนี้ได้ แต่แก้ไขได้เฉพาะหน่วยที่รับผิดชอบรายการ",
                          "You may read this case, but only its own unit may change it.") from None
    except NotFound:
        raise NOT_FOUND from None
    base = f"/desk/case/{case.id}"
    return case, CaseForms(DESK, case.id, base, f"{base}?added=1")


def _sign_in(request: Request) -> RedirectResponse:
    return sign_in_redirect(DESK, request.url.path)


@router.get("/desk/case/{case_id}")
def case_page(ctx: Ctx, request: Request, case_id: CaseId) -> Response:
    session = signed_in(ctx, request, DESK)
    if session is None:
        return _sign_in(request)
    case, where = _case(request, session, case_id)
    return show_creditors(ctx, request, session, case, where)


@router.post("/desk/case/{case_id}")
def case_post(ctx: Ctx, request: Request, case_id: CaseId, form: Form) -> Response:
    session = require_post_session(ctx, request, DESK, form, back=request.url.path)
    case, where = _case(request, session, case_id)
    return save_creditors(ctx, request, session, case, where, form)


@router.get("/desk/case/{case_id}/creditors/{creditor_no}/debts")
def case_debts_page(ctx: Ctx, request: Request, case_id: CaseId, creditor_no: CreditorNo) -> Response:
    session = signed_in(ctx, request, DESK)
    if session is None:
        return _sign_in(request)
    case, where = _case(request, session, case_id)
    return show_debts(ctx, request, session, case, where, creditor_number(creditor_no))


@router.post("/desk/case/{case_id}/creditors/{creditor_no}/debts")
def case_debts_post(ctx: Ctx, request: Request, case_id: CaseId, creditor_no: CreditorNo, form: Form) -> Response:
    session = require_post_session(ctx, request, DESK, form, back=request.url.path)
    case, where = _case(request, session, case_id)
    return save_debts(ctx, request, session, case, where, creditor_number(creditor_no), form)
