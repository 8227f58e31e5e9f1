"""A registered citizen adds creditors and debts to their case (one case per citizen: never a second form)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from registration.api.errors import Conflict, Forbidden, Invalid, NotFound, from_pydantic
from registration.api.pages_flow import PUBLIC, actor, intake, require_post_session, signed_in
from registration.api.schemas import CreditorsRequest
from registration.domain.thai import FieldError
from registration.web import forms
from registration.web.context import PageProblem, WebContext, WebSession, posted_form, web

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
Form = Annotated[FormData, Depends(posted_form)]


def _case(request: Request, session: WebSession) -> dict[str, Any]:
    claims = session.claims
    case = intake(request).cases.find_by_citizen(claims.citizen_id) if claims and claims.citizen_id else None
    if case is None:
        raise PageProblem(404, "ท่านยังไม่ได้ลงทะเบียน", "You have not registered yet.", sign_in="/register")
    return case


def _render(ctx: WebContext, request: Request, session: WebSession, case: dict[str, Any],
            creditors: list[dict[str, Any]], errors: list[FieldError] | None = None, status_code: int = 200,
            problem: dict[str, str] | None = None) -> Response:
    errors = errors or []
    return ctx.render(request, "more.html", session=session, status_code=status_code, case=case,
                      draft={"creditors": creditors}, errors=errors, by_field=forms.errors_by_field(errors),
                      field_id=forms.field_id, error_link=lambda e: "#" + forms.field_id(e.field or "main"),
                      problem=problem, focus_first=False, flow=PUBLIC)


@router.get("/register/more")
def more_page(ctx: Ctx, request: Request) -> Response:
    session = signed_in(ctx, request, PUBLIC)
    if session is None:
        return RedirectResponse("/auth/signin?flow=public&next=/register/more", status_code=303)
    creditors = session.doc.get("more") or [forms.empty_creditor()]
    return _render(ctx, request, session, _case(request, session), creditors)


@router.post("/register/more")
def more_post(ctx: Ctx, request: Request, form: Form) -> Response:
    session = require_post_session(ctx, request, PUBLIC, form)
    case = _case(request, session)
    creditors = forms.read_creditors(form)
    action = str(form.get("action") or "next")[:40]
    if action != "next":
        creditors = forms.apply_action(action, {"creditors": creditors})["creditors"]
        ctx.sessions(request).update(session.sid, {"more": creditors})
        return RedirectResponse("/register/more#f-creditors", status_code=303)
    ctx.sessions(request).update(session.sid, {"more": creditors})
    claims = session.claims
    assert claims is not None
    try:
        body = CreditorsRequest.model_validate({"creditors": forms.creditors_payload(creditors)})
        intake(request).add_creditors(case["_id"], body, claims, actor(request, claims))
    except ValidationError as invalid:
        errors = from_pydantic({**e, "loc": ("body", *e["loc"])} for e in invalid.errors())
        return _render(ctx, request, session, case, creditors, errors, 422)
    except Invalid as invalid:
        return _render(ctx, request, session, case, creditors, invalid.errors, 422)
    except (Conflict, Forbidden, NotFound) as refused:
        problem = {"th": refused.detail["th"], "en": refused.detail["en"]}
        return _render(ctx, request, session, case, creditors, status_code=refused.status, problem=problem)
    ctx.sessions(request).update(session.sid, {"more": None})
    return RedirectResponse("/register/status?added=1", status_code=303)
