"""Forms that add to an existing case: creditors (with their debts), or debts owed to a creditor already on it.

Shared by the citizen's pages (``/register/more…``, their own case) and the desk's (``/desk/case/…``, a case
of the officer's unit). Saving goes through ``Intake.add_creditors`` / ``Intake.add_debts``: the JSON API's
rules, access policy, events and audit. What was typed is shown again on every error and kept in the session
while rows are added or removed, under a key naming the case and form, so it never lands on another case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from registration.cases.case import Case
from registration.cases.errors import Conflict, Forbidden, Invalid, NotFound, from_pydantic
from registration.cases.model import Creditor
from registration.intake.flow import Flow, intake
from registration.intake.schemas import CreditorsRequest, DebtsRequest
from registration.kernel.limits import MAX_CREDITORS_PER_CASE, MAX_DEBTS_PER_CASE, MAX_DEBTS_PER_CREDITOR, CaseShape
from registration.kernel.thai import FieldError
from registration.web import forms
from registration.web.context import PageProblem, WebContext, WebSession, actor


@dataclass(frozen=True)
class CaseForms:
    """Where one flow's forms for one case live: ``base`` shows and takes new creditors (and lists those on
    the case), ``base/creditors/<n>/debts`` new debts of creditor n; ``done`` is where a saved change leads."""

    flow: Flow
    case_id: str
    base: str
    done: str

    def debts_url(self, creditor_no: int) -> str:
        return f"{self.base}/creditors/{creditor_no}/debts"

    def key(self, creditor_no: int | None = None) -> str:
        return f"{self.case_id}/creditors" + (f"/{creditor_no}/debts" if creditor_no else "")


def _no_creditor() -> PageProblem:
    return PageProblem(404, "ไม่พบเจ้าหนี้ลำดับนี้ในรายการลงทะเบียน", "No such creditor on this case.")


def creditor_number(raw: str) -> int:
    """The creditor number in a page's path (1 to the per-case cap). Read here rather than by FastAPI, so a
    wrong one gets the page's own 404 and never the API's raw JSON 422."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not 1 <= int(raw) <= MAX_CREDITORS_PER_CASE:
        raise _no_creditor()
    return int(raw)


def creditor_of(case: Case, creditor_no: int) -> Creditor:
    if not 1 <= creditor_no <= min(len(case.creditors), MAX_CREDITORS_PER_CASE):
        raise _no_creditor()
    return case.creditors[creditor_no - 1]


def room(case: Case) -> CaseShape:
    """The case's counts, for offering only the additions its caps still allow (amounts are checked on saving)."""
    return CaseShape(tuple(len(c.debts) for c in case.creditors), 0, 0)


def _typed(session: WebSession, key: str) -> list[dict[str, Any]] | None:
    """Rows typed earlier into this very form (kept across add/remove-row posts), if any."""
    adding = session.doc.get("adding")
    if isinstance(adding, dict) and adding.get("what") == key and isinstance(adding.get("rows"), list):
        rows: list[dict[str, Any]] = adding["rows"]
        return rows
    return None


def _keep(ctx: WebContext, request: Request, session: WebSession, key: str, rows: list[dict[str, Any]] | None) -> None:
    ctx.sessions(request).update(session.sid, {"adding": {"what": key, "rows": rows} if rows is not None else None})


def _render(ctx: WebContext, request: Request, session: WebSession, template: str, case: Case, where: CaseForms,
            errors: list[FieldError], status_code: int, problem: dict[str, str] | None, **values: Any) -> Response:
    return ctx.render(request, template, session=session, status_code=status_code, case=case, where=where,
                      room=room(case), max_creditors=MAX_CREDITORS_PER_CASE, max_debts=MAX_DEBTS_PER_CREDITOR,
                      max_case_debts=MAX_DEBTS_PER_CASE,
                      errors=errors, by_field=forms.errors_by_field(errors), field_id=forms.field_id,
                      error_link=lambda e: "#" + forms.field_id(e.field or "main"), problem=problem,
                      focus_first=where.flow.desk and not errors, desk=where.flow.desk,
                      added=request.query_params.get("added") == "1", **values)


def show_creditors(ctx: WebContext, request: Request, session: WebSession, case: Case, where: CaseForms, *,
                   rows: list[dict[str, Any]] | None = None, errors: list[FieldError] | None = None,
                   status_code: int = 200, problem: dict[str, str] | None = None) -> Response:
    rows = rows if rows is not None else _typed(session, where.key()) or [forms.empty_creditor()]
    return _render(ctx, request, session, "more.html", case, where, errors or [], status_code, problem,
                   draft={"creditors": rows})


def show_debts(ctx: WebContext, request: Request, session: WebSession, case: Case, where: CaseForms,
               creditor_no: int, *, rows: list[dict[str, Any]] | None = None, errors: list[FieldError] | None = None,
               status_code: int = 200, problem: dict[str, str] | None = None) -> Response:
    creditor = creditor_of(case, creditor_no)
    rows = rows if rows is not None else _typed(session, where.key(creditor_no)) or [forms.empty_debt()]
    return _render(ctx, request, session, "add_debts.html", case, where, errors or [], status_code, problem,
                   creditor=creditor, creditor_no=creditor_no, rows=rows)


def _refused(problem: Conflict | Forbidden | NotFound) -> dict[str, str]:
    return {"th": problem.detail["th"], "en": problem.detail["en"]}


def _shape_errors(invalid: ValidationError) -> list[FieldError]:
    return from_pydantic({**e, "loc": ("body", *e["loc"])} for e in invalid.errors())


def save_creditors(ctx: WebContext, request: Request, session: WebSession, case: Case, where: CaseForms,
                   form: FormData) -> Response:
    rows = forms.read_creditors(form)
    action = str(form.get("action") or "next")[:40]
    if action != "next":  # add or remove a row: keep what was typed, show the form again
        _keep(ctx, request, session, where.key(), forms.apply_action(action, {"creditors": rows})["creditors"])
        return RedirectResponse(f"{where.base}#f-creditors", status_code=303)
    claims = session.claims
    assert claims is not None  # signed_in() checked the flow's roles
    try:
        body = CreditorsRequest.model_validate({"creditors": forms.creditors_payload(rows)})
        intake(request).add_creditors(case.id, body, claims, actor(request, claims))
    except ValidationError as invalid:
        return show_creditors(ctx, request, session, case, where, rows=rows, errors=_shape_errors(invalid),
                              status_code=422)
    except Invalid as invalid:
        return show_creditors(ctx, request, session, case, where, rows=rows, errors=invalid.errors, status_code=422)
    except (Conflict, Forbidden, NotFound) as refused:
        return show_creditors(ctx, request, session, case, where, rows=rows, status_code=refused.status,
                              problem=_refused(refused))
    _keep(ctx, request, session, where.key(), None)
    return RedirectResponse(where.done, status_code=303)


def save_debts(ctx: WebContext, request: Request, session: WebSession, case: Case, where: CaseForms,
               creditor_no: int, form: FormData) -> Response:
    creditor_of(case, creditor_no)
    rows = forms.read_debts(form)
    action = str(form.get("action") or "next")[:40]
    if action != "next":
        # The rows as one creditor's debts, so the same add/remove buttons apply ("add_debt:0", "remove_debt:0:j").
        changed = forms.apply_action(action, {"creditors": [{"debts": rows}]})["creditors"][0]["debts"]
        _keep(ctx, request, session, where.key(creditor_no), changed)
        return RedirectResponse(f"{where.debts_url(creditor_no)}#f-debts", status_code=303)
    claims = session.claims
    assert claims is not None
    try:
        body = DebtsRequest.model_validate({"debts": forms.debts_payload(rows)})
        intake(request).add_debts(case.id, creditor_no, body, claims, actor(request, claims))
    except ValidationError as invalid:
        return show_debts(ctx, request, session, case, where, creditor_no, rows=rows, errors=_shape_errors(invalid),
                          status_code=422)
    except Invalid as invalid:
        return show_debts(ctx, request, session, case, where, creditor_no, rows=rows, errors=invalid.errors,
                          status_code=422)
    except (Conflict, Forbidden, NotFound) as refused:
        return show_debts(ctx, request, session, case, where, creditor_no, rows=rows, status_code=refused.status,
                          problem=_refused(refused))
    _keep(ctx, request, session, where.key(creditor_no), None)
    return RedirectResponse(where.done, status_code=303)
