"""What the casework pages share: the signed-in staff member and their worklist scope, the read models and
use cases made at start-up, words and dates for the templates, and the pages' own stylesheet."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from contracts.access import worklist_scope
from contracts.claims import Claims
from registration.cases.audit import AuditTrail
from registration.cases.events import AuditAction
from registration.casework import vocabulary
from registration.casework.officers import OfficerDirectory
from registration.casework.use_cases import Casework
from registration.casework.worklist import Worklist
from registration.casework.worklist_request import Scope
from registration.kernel.receipts import THAI_TIME
from registration.kernel.thai import format_be_date
from registration.web.context import PageProblem, WebContext, WebSession, actor

SESSION_ENDED = ("หมดเวลาการใช้งาน กรุณาเข้าสู่ระบบอีกครั้ง", "Your session has ended. Please sign in again.")
NO_WORKLIST = ("บัญชีของท่านไม่มีงานติดตามลูกหนี้ (สำหรับเจ้าหน้าที่อำเภอ จังหวัด และกรมการปกครอง)",
               "Your account has no casework worklist (district, province and DOPA officers have one).")


def staff(ctx: WebContext, request: Request) -> tuple[WebSession, Claims] | None:
    """The signed-in staff member, or None (never signed in, a citizen's session, or expired)."""
    session = ctx.load_session(request)
    if session is None or session.kind != "staff" or session.claims is None:
        return None
    return session, session.claims


def sign_in(request: Request) -> RedirectResponse:
    """Through the staff sign-in and back to this page."""
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/auth/signin?flow=staff&next={quote(back, safe='/')}", status_code=303)


def posting_staff(ctx: WebContext, request: Request, form: FormData, back: str) -> tuple[WebSession, Claims]:
    """The staff session a form post needs, CSRF checked. Without one nothing is saved: 401 with a sign-in link
    back to ``back``."""
    found = staff(ctx, request)
    if found is None:
        raise PageProblem(401, *SESSION_ENDED, sign_in=f"/auth/signin?flow=staff&next={quote(back, safe='/')}")
    ctx.check_post(request, found[0], form)
    return found


def scope_of(claims: Claims) -> Scope:
    """The worklist scope (``contracts.access.worklist_scope``); 403 for people who do no casework."""
    found = worklist_scope(claims)
    if found is None or found[0] not in ("district", "province", "nation"):
        raise PageProblem(403, *NO_WORKLIST)
    level, code = found
    return Scope("district" if level == "district" else "province" if level == "province" else "nation", code)


def casework(request: Request) -> Casework:
    found: Casework = request.app.state.casework
    return found


def worklist(request: Request) -> Worklist:
    """The worklist read model over the app's cases, made on first use (it holds no connection of its own)."""
    state = request.app.state
    found: Worklist | None = getattr(state, "worklist", None)
    if found is None:
        web: WebContext = state.web
        found = state.worklist = Worklist.over(state.cases, web.secret)
    return found


def officers(request: Request) -> OfficerDirectory:
    state = request.app.state
    found: OfficerDirectory | None = getattr(state, "casework_officers", None)
    if found is None:
        found = state.casework_officers = OfficerDirectory.beside(state.cases)
    return found


def audit_list(request: Request, claims: Claims) -> None:
    """A page that lists cases (names, citizen IDs) is a read of personal data: one audit record per view."""
    trail: AuditTrail = request.app.state.audit
    trail.record(actor(request, claims), AuditAction.LIST, True, None)


def local_path(raw: object, default: str, prefix: str = "/casework") -> str:
    """A path on this site under ``prefix`` (where a form may send the browser back to), else ``default``."""
    if isinstance(raw, str) and raw.startswith(prefix) and not raw.startswith("//") and len(raw) < 1500 \
            and "\\" not in raw and "\n" not in raw and "\r" not in raw:
        return raw
    return default


def with_params(path: str, params: list[tuple[str, str]], **changes: str | None) -> str:
    """``path`` with ``params`` (repeatable names kept), the names in ``changes`` replaced (None: dropped)."""
    kept = [(k, v) for k, v in params if k not in changes]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    return f"{path}?{urlencode(kept)}" if kept else path


def be_datetime(value: datetime | None) -> str:
    """A moment in Thai time: ``1 ธันวาคม 2569 เวลา 14:05 น.``"""
    if value is None:
        return "—"
    local = value.astimezone(THAI_TIME)
    return f"{format_be_date(local.date())} เวลา {local:%H:%M} น."


def be_day(value: date | None) -> str:
    return "—" if value is None else format_be_date(value)


def template_helpers(lang: str) -> dict[str, Any]:
    """Casework's words (``vocabulary``) and dates for the templates, in the page's language."""
    return {
        "cw": lambda group, code: vocabulary.label(group, code, lang),
        "cw_choices": lambda group: vocabulary.choices(group, lang),
        "be_datetime": be_datetime, "be_day": be_day,
    }
