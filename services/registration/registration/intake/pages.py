"""Public self-registration pages: landing, the step-by-step form, receipt and status. Thin: the form
engine is ``pages_flow``, the rules are the core's ``Intake``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from registration.intake.flow import (
    PUBLIC,
    intake,
    post_step,
    receipt_page,
    show_step,
    sign_in_redirect,
    signed_in,
    submit,
)
from registration.kernel import admin_areas
from registration.web.context import WebContext, WebSession, actor, posted_form, web

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
Form = Annotated[FormData, Depends(posted_form)]


def _sign_in(request: Request) -> RedirectResponse:
    return sign_in_redirect(PUBLIC, request.url.path + (f"?{request.url.query}" if request.url.query else ""))


def _has_case(request: Request, session: WebSession) -> bool:
    claims = session.claims
    return claims is not None and intake(request).has_case(claims)


@router.get("/")
def root() -> Response:
    return RedirectResponse("/register", status_code=303)


@router.get("/register")
def landing(ctx: Ctx, request: Request) -> Response:
    session = signed_in(ctx, request, PUBLIC)
    claims = session.claims if session else None
    # The page shows the receipt number of the citizen's case: a read of their case, recorded first.
    case = intake(request).read_own(claims, actor(request, claims)) if claims else None
    return ctx.render(request, "landing.html", session=session, case=case,
                      signed_out=request.query_params.get("signed_out") == "1")


@router.get("/register/step/{step}")
def step_page(ctx: Ctx, request: Request, step: str) -> Response:
    session = signed_in(ctx, request, PUBLIC)
    if session is None:
        return _sign_in(request)
    if _has_case(request, session):  # one case per citizen: show it instead of a second form
        return RedirectResponse("/register/status?already=1", status_code=303)
    return show_step(ctx, request, session, PUBLIC, step)


@router.post("/register/step/{step}")
def step_post(ctx: Ctx, request: Request, step: str, form: Form) -> Response:
    session = signed_in(ctx, request, PUBLIC)
    if session is not None and _has_case(request, session):
        return RedirectResponse("/register/status?already=1", status_code=303)
    return post_step(ctx, request, PUBLIC, step, form)


@router.post("/register/submit")
def submit_post(ctx: Ctx, request: Request, form: Form) -> Response:
    return submit(ctx, request, PUBLIC, form)


@router.get("/register/receipt/{receipt_no}")
def receipt(ctx: Ctx, request: Request, receipt_no: str) -> Response:
    return receipt_page(ctx, request, PUBLIC, receipt_no)


@router.get("/register/status")
def status(ctx: Ctx, request: Request) -> Response:
    session = signed_in(ctx, request, PUBLIC)
    if session is None or session.claims is None:
        return _sign_in(request)
    case = intake(request).read_own(session.claims, actor(request, session.claims))
    return ctx.render(request, "status.html", session=session, case=case,
                      already=request.query_params.get("already") == "1",
                      added=request.query_params.get("added") == "1")


@router.get("/register/areas")
def areas(parent: Annotated[str, Query(max_length=4, pattern=r"^[0-9]{2}([0-9]{2})?$")]) -> Response:
    """Options for the district or subdistrict select after the parent changed (progressive enhancement)."""
    children = admin_areas.districts_of(parent) if len(parent) == 2 else admin_areas.subdistricts_of(parent)
    body = [{"code": a.code, "th": a.name_th, "en": a.name_en} for a in children]
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=86400"})
