"""Staff pages: the staff home, desk registration (at the desk or keyed from a paper form) and the
blank paper form. Desk registration is the public form plus a first step for the debtor's identity;
the unit comes from the officer's token."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from registration.intake.flow import (
    DESK,
    post_step,
    receipt_page,
    show_step,
    sign_in_redirect,
    signed_in,
    start_draft,
    submit,
)
from registration.intake.paper_form import paper_form_pdf
from registration.web.context import WebContext, posted_form, web

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
Form = Annotated[FormData, Depends(posted_form)]


def _sign_in(request: Request) -> RedirectResponse:
    return sign_in_redirect(DESK, request.url.path)


@router.get("/staff")
def staff_home(ctx: Ctx, request: Request) -> Response:
    session = ctx.load_session(request)
    session = session if session and session.kind == "staff" else None
    return ctx.render(request, "staff_home.html", session=session,
                      signed_out=request.query_params.get("signed_out") == "1")


@router.get("/desk")
def desk_home(ctx: Ctx, request: Request) -> Response:
    session = signed_in(ctx, request, DESK)
    if session is None:
        return _sign_in(request)
    return ctx.render(request, "desk_home.html", session=session, draft=session.draft)


@router.post("/desk/start")
def desk_start(ctx: Ctx, request: Request, form: Form) -> Response:
    session = signed_in(ctx, request, DESK)
    ctx.check_post(request, session, form)
    assert session is not None
    channel = "paper" if form.get("mode") == "paper" else "desk"
    start_draft(ctx, request, session, channel)
    return RedirectResponse(DESK.url("person"), status_code=303)


@router.get("/desk/step/{step}")
def desk_step(ctx: Ctx, request: Request, step: str) -> Response:
    session = signed_in(ctx, request, DESK)
    if session is None:
        return _sign_in(request)
    if not session.draft:
        return RedirectResponse("/desk", status_code=303)
    return show_step(ctx, request, session, DESK, step)


@router.post("/desk/step/{step}")
def desk_step_post(ctx: Ctx, request: Request, step: str, form: Form) -> Response:
    return post_step(ctx, request, DESK, step, form)


@router.post("/desk/submit")
def desk_submit(ctx: Ctx, request: Request, form: Form) -> Response:
    return submit(ctx, request, DESK, form)


@router.get("/desk/receipt/{receipt_no}")
def desk_receipt(ctx: Ctx, request: Request, receipt_no: str) -> Response:
    return receipt_page(ctx, request, DESK, receipt_no)


@cache
def _paper_form() -> bytes:
    return paper_form_pdf()  # the same bytes for everyone: build once per process


@router.get("/forms/paper-form.pdf")
def paper_form() -> Response:
    return Response(_paper_form(), media_type="application/pdf", headers={
        "Content-Disposition": 'inline; filename="paper-form.pdf"', "Cache-Control": "public, max-age=3600"})
