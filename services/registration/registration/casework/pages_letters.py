"""Official letters from the staff pages: one case's letter (``/casework/cases/{case_id}/letter.pdf``), a batch
for the cases ticked on the worklist (``POST /casework/letters``), and the district's letter settings
(``/casework/letters/settings``). District officers only, for their own district's cases; province officers
and DOPA oversee casework but do not send the district's letters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from contracts.errors import ApiError
from registration.cases.errors import Invalid
from registration.casework.letter_printing import LetterPrinting, Printed, district_of
from registration.casework.letter_settings import FIELDS, form_values
from registration.casework.pages_common import casework, posting_staff, sign_in, staff
from registration.kernel.thai import FieldError
from registration.web import forms
from registration.web.context import PageProblem, WebContext, WebSession, actor, posted_form, web

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
Form = Annotated[FormData, Depends(posted_form)]
CaseId = Annotated[str, Path()]  # unbounded here: the use case cuts it, and a wrong one gets the 404 page
SETTINGS = "/casework/letters/settings"
CASE_PAGE = "/casework/cases/{case_id}"


def _printing(request: Request) -> LetterPrinting:
    state = request.app.state
    return LetterPrinting.over(state.cases, casework(request), on_commit=state.relay.wake)


def _page_problem(problem: ApiError) -> PageProblem:
    return PageProblem(problem.status, problem.th, problem.en)


def _pdf(printed: Printed, filename: str, disposition: str) -> Response:
    # Personal data: never kept by a shared cache or the browser's history.
    return Response(printed.pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"', "Cache-Control": "no-store",
        "X-Letter-Count": str(len(printed.letter_nos))})


@router.get("/casework/cases/{case_id}/letter.pdf")
def one_letter(ctx: Ctx, request: Request, case_id: CaseId) -> Response:
    """The case's invitation letter. Printing records the letter as sent (once a day: a reload reprints it)."""
    found = staff(ctx, request)
    if found is None:
        return sign_in(request)
    _, claims = found
    try:
        printed = _printing(request).print_letters([case_id], claims, actor(request, claims))
    except ApiError as problem:
        raise _page_problem(problem) from None
    return _pdf(printed, f"letter-{printed.sent_on.isoformat()}.pdf", "inline")


@router.post("/casework/letters")
def batch_letters(ctx: Ctx, request: Request, form: Form) -> Response:
    """Letters for the cases ticked on the worklist, as one PDF to download. If some cannot get a letter
    (another district's case, a closed one), nothing is printed yet: a page says which and why, and offers
    to print the others."""
    session, claims = posting_staff(ctx, request, form, "/casework")
    case_ids = [v for v in form.getlist("case_ids") if isinstance(v, str)]
    printing = _printing(request)
    who = actor(request, claims)
    try:
        district_of(claims)  # province officers and DOPA are told so, whatever they ticked
        chosen = printing.select(case_ids, claims, who)
        if chosen.refused and chosen.printable:
            return ctx.render(request, "letters_refused.html", session=session, status_code=409,
                              printable=chosen.printable, refused=chosen.refused, receipts=chosen.receipts,
                              case_page=CASE_PAGE)
        printed = printing.print_selected(chosen, claims, who)
    except ApiError as problem:
        raise _page_problem(problem) from None
    return _pdf(printed, f"letters-{printed.sent_on.isoformat()}.pdf", "attachment")


def _show_settings(ctx: WebContext, request: Request, session: WebSession, district: str, values: dict[str, str],
                   errors: list[FieldError], *, saved: bool, is_default: bool, status_code: int = 200) -> Response:
    return ctx.render(request, "letter_settings.html", session=session, status_code=status_code, district=district,
                      fields=FIELDS, values=values, errors=errors, by_field=forms.errors_by_field(errors),
                      field_id=forms.field_id, error_link=lambda e: "#" + forms.field_id(e.field or "main"),
                      saved=saved, is_default=is_default)


@router.get(SETTINGS)
def settings_page(ctx: Ctx, request: Request) -> Response:
    found = staff(ctx, request)
    if found is None:
        return sign_in(request)
    session, claims = found
    try:
        current = _printing(request).settings_for(claims)
    except ApiError as problem:
        raise _page_problem(problem) from None
    return _show_settings(ctx, request, session, current.district_code, form_values(current), [],
                          saved=request.query_params.get("saved") == "1", is_default=not current.saved)


@router.post(SETTINGS)
def settings_post(ctx: Ctx, request: Request, form: Form) -> Response:
    session, claims = posting_staff(ctx, request, form, SETTINGS)
    values = {name: str(form.get(name) or "")[:400] for name, *_ in FIELDS}
    try:
        _printing(request).save_settings(claims, values)
    except Invalid as invalid:
        return _show_settings(ctx, request, session, claims.unit_code or "", values, invalid.errors, saved=False,
                              is_default=False, status_code=422)
    except ApiError as problem:
        raise _page_problem(problem) from None
    return RedirectResponse(f"{SETTINGS}?saved=1", status_code=303)
