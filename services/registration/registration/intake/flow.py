"""The step-by-step registration form, shared by self-registration and desk registration.

Each step saves what was posted into the session's draft (valid or not), then checks the whole
draft with the core's ``validate_registration`` and shows only this step's errors. Submitting
goes through ``Intake.register``: the same rules, audit and events as the JSON API.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from contracts.claims import Claims, Role
from registration.cases.errors import Conflict, Forbidden, Invalid, MessageProblem, NotFound
from registration.intake.use_cases import ALREADY_REGISTERED_HIDDEN, Intake
from registration.intake.validation import DeskOfficer, VerifiedIdentity, parse_request, validate_registration
from registration.kernel.receipts import thai_date
from registration.kernel.thai import FieldError
from registration.web import forms
from registration.web.context import PageProblem, WebContext, WebSession, actor, now


@dataclass(frozen=True)
class Flow:
    prefix: str
    steps: tuple[str, ...]
    desk: bool
    session_kind: str

    def url(self, step: str) -> str:
        return f"{self.prefix}/step/{step}"

    def step_of(self, field: str | None) -> str:
        step = forms.step_of(field)
        return step if step in self.steps else "review"

    def neighbour(self, step: str, offset: int) -> str:
        i = self.steps.index(step) + offset
        return self.steps[max(0, min(i, len(self.steps) - 1))]

    def allowed(self, claims: Claims | None) -> bool:
        if claims is None:
            return False
        if self.desk:
            return claims.has(Role.REGISTRAR, Role.DISTRICT_OFFICER) and bool(claims.unit_code)
        return Role.CITIZEN in claims.roles and claims.citizen_id is not None


NOT_FOUND = PageProblem(404, "ไม่พบรายการลงทะเบียนนี้", "Registration not found.")


PUBLIC = Flow("/register", forms.PUBLIC_STEPS, desk=False, session_kind="public")
DESK = Flow("/desk", forms.DESK_STEPS, desk=True, session_kind="staff")


def intake(request: Request) -> Intake:
    found: Intake = request.app.state.intake
    return found


def sign_in_redirect(flow: Flow, next_path: str) -> RedirectResponse:
    """Through this flow's sign-in, then back to ``next_path`` (a path on this site)."""
    return RedirectResponse(f"/auth/signin?flow={flow.session_kind}&next={quote(next_path)}", status_code=303)


def receipt_page(ctx: WebContext, request: Request, flow: Flow, receipt_no: str) -> Response:
    """The printable receipt, read (and audited) through the intake like the API."""
    session = signed_in(ctx, request, flow)
    if session is None or session.claims is None:
        return sign_in_redirect(flow, request.url.path)
    try:
        case = intake(request).read(receipt_no[:32], session.claims, actor(request, session.claims))
    except NotFound:
        raise NOT_FOUND from None
    return ctx.render(request, "receipt.html", session=session, case=case, desk=flow.desk)


def signed_in(ctx: WebContext, request: Request, flow: Flow) -> WebSession | None:
    """The session if it belongs to this flow and its person may use it."""
    session = ctx.load_session(request)
    if session is None or session.kind != flow.session_kind:
        return None
    if not flow.allowed(session.claims):
        raise PageProblem(403, "บัญชีของท่านไม่มีสิทธิ์ใช้หน้านี้", "Your account may not use this page.")
    return session


def require_post_session(ctx: WebContext, request: Request, flow: Flow, form: FormData,
                         back: str | None = None) -> WebSession:
    """The session a form post needs (CSRF checked, public posts rate limited). Without one (never signed in,
    or its access token has expired) nothing is saved: 401 with a sign-in link leading back to ``back``."""
    session = signed_in(ctx, request, flow)
    if session is None:
        raise PageProblem(401, "หมดเวลาการใช้งาน กรุณาเข้าสู่ระบบอีกครั้ง ข้อมูลที่กรอกไว้ในเครื่องนี้ยังอยู่",
                          "Your session has ended. Please sign in again; what you typed is kept on this device.",
                          sign_in=f"/auth/signin?flow={flow.session_kind}&next={back or flow.prefix}")
    ctx.check_post(request, session, form)
    if not flow.desk:
        claims = session.claims
        ctx.limit(request, claims.citizen_id if claims else None)
    return session


def all_errors(flow: Flow, draft: dict[str, Any], claims: Claims) -> list[FieldError]:
    body = parse_request(forms.payload(draft, desk=flow.desk))
    if isinstance(body, list):
        return body
    identity = desk = None
    if flow.desk:
        desk = DeskOfficer(claims.unit_code or "", claims.sub)
    else:
        identity = VerifiedIdentity(claims.citizen_id or "", claims.given_name, claims.family_name, claims.birthdate)
    result = validate_registration(body, today=thai_date(now()), identity=identity, desk=desk)
    return result if isinstance(result, list) else []


def render_step(ctx: WebContext, request: Request, session: WebSession, flow: Flow, step: str,
                draft: dict[str, Any], errors: list[FieldError] | None = None, status_code: int = 200,
                problem: dict[str, str] | None = None, problem_link: dict[str, str] | None = None) -> Response:
    errors = errors or []

    def error_link(error: FieldError) -> str:
        target = flow.step_of(error.field)
        return (flow.url(target) if target != step else "") + "#" + forms.field_id(error.field or "main")

    # Lets the page's script tell whether its local copy is newer than what the server holds (server clock).
    saved_at = _ms(now()) if errors or status_code != 200 else int(session.doc.get("draft_at_ms") or 0)
    return ctx.render(
        request, "form_step.html", session=session, status_code=status_code, flow=flow, step=step,
        error_link=error_link, draft_key=_draft_key(ctx, session, flow, draft), server_now=_ms(now()),
        saved_at=saved_at,
        steps=[forms.STEPS[s] for s in flow.steps], current=forms.STEPS[step], draft=draft,
        errors=errors, by_field=forms.errors_by_field(errors), field_id=forms.field_id, problem=problem,
        problem_link=problem_link,
        all_errors=all_errors(flow, draft, session.claims) if step == "review" and session.claims else [],
        step_url=flow.url, step_of=flow.step_of,
    )


def _ms(moment: datetime) -> int:
    # Milliseconds, not a datetime: the dev stack's MongoDB stand-in stores a $set datetime as text.
    return int(moment.timestamp() * 1000)


def _draft_key(ctx: WebContext, session: WebSession, flow: Flow, draft: dict[str, Any]) -> str:
    """Names the browser's copy of the draft. A desk's copy belongs to one registration; a citizen's to
    that citizen (found again after a new sign-in), so on a shared phone nobody sees another's answers."""
    if flow.desk or session.claims is None:
        return str(draft.get("draft_id", ""))
    return hmac.new(ctx.secret, b"draft:" + session.claims.sub.encode(), hashlib.sha256).hexdigest()[:20]


def show_step(ctx: WebContext, request: Request, session: WebSession, flow: Flow, step: str) -> Response:
    if step not in flow.steps:
        raise PageProblem(404, "ไม่พบหน้านี้", "Page not found.")
    draft = session.draft or forms.new_draft("desk" if flow.desk else "self_online")
    return render_step(ctx, request, session, flow, step, draft)


def post_step(ctx: WebContext, request: Request, flow: Flow, step: str, form: FormData) -> Response:
    session = require_post_session(ctx, request, flow, form, back=flow.url(step) if step in flow.steps else None)
    if step not in flow.steps or step == "review":
        raise PageProblem(404, "ไม่พบหน้านี้", "Page not found.")
    base = session.draft or forms.new_draft("desk" if flow.desk else "self_online")
    draft = forms.read_step(step, form, base, desk=flow.desk)
    action = str(form.get("action") or "next")[:40]
    if action not in ("next", "back", "refresh"):
        draft = forms.apply_action(action, draft)
    ctx.sessions(request).update(session.sid, {"draft": draft, "draft_at_ms": _ms(now())})
    if action == "back":
        return RedirectResponse(flow.url(flow.neighbour(step, -1)), status_code=303)
    if action != "next":
        anchor = "#f-creditors" if action.startswith(("add_", "remove_")) else "#address"
        return RedirectResponse(flow.url(step) + anchor, status_code=303)
    claims = session.claims
    assert claims is not None  # signed_in() checked the flow's roles
    errors = [e for e in all_errors(flow, draft, claims) if flow.step_of(e.field) == step]
    if errors:
        return render_step(ctx, request, session, flow, step, draft, errors, 422)
    return RedirectResponse(flow.url(flow.neighbour(step, 1)), status_code=303)


def submit(ctx: WebContext, request: Request, flow: Flow, form: FormData) -> Response:
    session = require_post_session(ctx, request, flow, form)
    claims = session.claims
    assert claims is not None
    draft = session.draft
    if not draft and session.doc.get("last_receipt"):  # a second click after the first one went through
        return RedirectResponse(f"{flow.prefix}/receipt/{session.doc['last_receipt']}", status_code=303)
    draft = draft or forms.new_draft("desk" if flow.desk else "self_online")
    body = parse_request(forms.payload(draft, desk=flow.desk))
    errors: list[FieldError] = body if isinstance(body, list) else []
    if not isinstance(body, list):
        # The draft's key makes a double submission (two taps, a retried request) register once.
        key = draft.get("draft_id") or secrets.token_urlsafe(16)
        try:
            registered = intake(request).register(body, claims, actor(request, claims), idempotency_key=key)
        except Invalid as invalid:
            errors = invalid.errors
        except Conflict as conflict:
            return _already(ctx, request, session, flow, draft, conflict)
        except (Forbidden, NotFound) as refused:
            return render_step(ctx, request, session, flow, "review", draft, status_code=403,
                               problem=_message(refused))
        else:
            ctx.sessions(request).update(session.sid, {"draft": None, "last_receipt": registered.receipt_no})
            return RedirectResponse(f"{flow.prefix}/receipt/{registered.receipt_no}", status_code=303)
    first = min((flow.steps.index(flow.step_of(e.field)) for e in errors), default=len(flow.steps) - 1)
    step = flow.steps[first]
    shown = [e for e in errors if flow.step_of(e.field) == step]
    return render_step(ctx, request, session, flow, step, draft, shown, 422)


def _message(problem: MessageProblem) -> dict[str, str]:
    return {"th": problem.detail["th"], "en": problem.detail["en"]}


def _already(ctx: WebContext, request: Request, session: WebSession, flow: Flow, draft: dict[str, Any],
             conflict: Conflict) -> Response:
    if not flow.desk:
        ctx.sessions(request).update(session.sid, {"draft": None})
        return RedirectResponse("/register/status?already=1", status_code=303)
    claims = session.claims
    assert claims is not None
    # Names the existing case only to a desk that may read it; that read is recorded first.
    found = intake(request).existing_for_desk(str(conflict.detail.get("case_id") or ""), claims,
                                                actor(request, claims))
    if found is None:
        # Outside this desk's scope: it learns neither where nor the receipt number, only what helps the person.
        problem = {"th": ALREADY_REGISTERED_HIDDEN[0], "en": ALREADY_REGISTERED_HIDDEN[1]}
        return render_step(ctx, request, session, flow, "review", draft, status_code=409, problem=problem)
    existing = found.case
    receipt_no = existing.receipt_no
    if not found.changeable:
        problem = {"th": f"ผู้นี้ลงทะเบียนไว้แล้ว เลขที่ใบรับ {receipt_no} หน่วยที่รับผิดชอบรายการเป็นผู้เพิ่มข้อมูลได้",
                   "en": f"This person is already registered (receipt {receipt_no}); its own unit may add to it."}
        return render_step(ctx, request, session, flow, "review", draft, status_code=409, problem=problem)
    # The creditors typed here are offered on the existing case's page, so nothing has to be typed twice.
    typed = {"what": f"{existing.id}/creditors", "rows": draft.get("creditors") or []}
    ctx.sessions(request).update(session.sid, {"adding": typed})
    problem = {"th": f"ผู้นี้ลงทะเบียนไว้แล้ว เลขที่ใบรับ {receipt_no} เพิ่มเจ้าหนี้และหนี้ที่กรอกไว้ลงในรายการเดิมได้",
               "en": f"This person is already registered (receipt {receipt_no}); add the creditors and debts "
                     "you typed to that case."}
    link = {"href": f"/desk/case/{existing.id}", "th": "เพิ่มเจ้าหนี้และหนี้ในรายการเดิม",
            "en": "Add creditors and debts to the existing case"}
    return render_step(ctx, request, session, flow, "review", draft, status_code=409, problem=problem,
                       problem_link=link)


def start_draft(ctx: WebContext, request: Request, session: WebSession, channel: str) -> None:
    draft = forms.new_draft(channel)
    ctx.sessions(request).update(session.sid, {"draft": draft, "draft_at_ms": _ms(now())})
