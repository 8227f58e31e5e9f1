"""What every reporting page shares: settings, templates, the signed session cookie, CSRF, ``render``.

Everything lives under :data:`PREFIX` (``/reports``): behind the production proxy the services share one
host name, and registration already answers ``/auth``, ``/static`` and ``/staff``.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from contracts.claims import Claims
from contracts.oidc_flow import OidcClient
from contracts.web import csrf_token, csrf_valid
from reporting.web import format as fmt
from reporting.web.session import Sessions, SessionStore
from reporting.web.settings import WebSettings

PREFIX = "/reports"
TEMPLATES = Path(__file__).parent / "templates"
COOKIE = "rep_session"
LANG_COOKIE = "lang"


class PageProblem(Exception):
    """Ends a request with a bilingual message page (403, 404 …)."""

    def __init__(self, status: int, th: str, en: str, *, sign_in: str | None = None) -> None:
        super().__init__(en)
        self.status, self.th, self.en, self.sign_in = status, th, en, sign_in


class SignInRequired(Exception):
    """No signed-in staff session: a page is redirected to sign-in, anything else answers 401."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class NavLink:
    path: str
    th: str
    en: str


@dataclass
class WebSession:
    sid: str
    doc: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.doc.get("kind", ""))

    @property
    def claims(self) -> Claims | None:
        raw = self.doc.get("claims")
        return Claims.model_validate(raw) if raw else None

    def token_expired(self, at: float) -> bool:
        exp = self.doc.get("token_exp")
        return self.kind == "staff" and (not isinstance(exp, int | float) or exp <= at)


@dataclass
class WebContext:
    settings: WebSettings
    database: str
    oidc: OidcClient
    env: Environment
    nav: Sequence[NavLink] = ()
    _sessions: Sessions | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(cls, settings: WebSettings, issuer_url: str, database: str, feature_templates: Iterable[Path] = (),
              nav: Sequence[NavLink] = ()) -> WebContext:
        """``feature_templates``: each feature's own template folder, searched after the shared one."""
        env = Environment(
            loader=ChoiceLoader([FileSystemLoader(d) for d in (TEMPLATES, *feature_templates)]),
            autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
        )
        env.globals.update(number=fmt.number, baht=fmt.baht, percent=fmt.percent, PREFIX=PREFIX)
        return cls(settings, database, OidcClient(issuer_url), env, nav)

    @property
    def secret(self) -> bytes:
        return self.settings.session_secret.encode()

    def sessions(self, request: Request) -> Sessions:
        # The Mongo client is made in the service's lifespan, after routes are installed.
        with self._lock:
            if self._sessions is None:
                store = SessionStore(request.app.state.mongo[self.database])
                store.ensure_indexes()
                self._sessions = store
            return self._sessions

    def use_sessions(self, sessions: Sessions) -> None:
        """Tests: sessions kept elsewhere (``MemorySessions``)."""
        self._sessions = sessions

    # ---- the session cookie: a random id and its HMAC, so a guessed or altered id is refused unread ----

    def _mac(self, sid: str) -> str:
        return hmac.new(self.secret, b"session:" + sid.encode(), hashlib.sha256).hexdigest()[:32]

    def cookie_value(self, sid: str) -> str:
        return f"{sid}.{self._mac(sid)}"

    def load_session(self, request: Request, *, ended_too: bool = False) -> WebSession | None:
        cached = getattr(request.state, "web_session", None)
        if isinstance(cached, WebSession) and not ended_too:
            return cached
        sid, _, mac = request.cookies.get(COOKIE, "").partition(".")
        if not sid or not hmac.compare_digest(self._mac(sid), mac):
            return None
        doc = self.sessions(request).get(sid)
        if doc is None:
            return None
        session = WebSession(sid, doc)
        if not ended_too and session.token_expired(time.time()):
            return None
        return session

    def set_cookie(self, response: Response, sid: str) -> None:
        response.set_cookie(COOKIE, self.cookie_value(sid), max_age=self.settings.session_ttl_seconds,
                            httponly=True, samesite="lax", secure=self.settings.secure_cookies, path=PREFIX)

    def clear_cookie(self, response: Response) -> None:
        response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=self.settings.secure_cookies,
                               path=PREFIX)

    # ---- forms ----

    def csrf(self, session: WebSession | None) -> str:
        return csrf_token(self.secret, session.sid) if session else ""

    def check_csrf(self, session: WebSession | None, form: FormData) -> None:
        submitted = form.get("csrf")
        if not csrf_valid(self.secret, session.sid if session else None,
                          submitted if isinstance(submitted, str) else None):
            raise PageProblem(403, "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาย้อนกลับแล้วลองใหม่อีกครั้ง",
                              "The form has expired or is invalid (CSRF). Go back and try again.")

    # ---- pages ----

    def lang(self, request: Request) -> str:
        wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
        return "en" if wanted == "en" else "th"

    def render(self, request: Request, template: str, values: Mapping[str, Any] | None = None, *,
               status_code: int = 200) -> HTMLResponse:
        lang = self.lang(request)
        query = {**request.query_params, "lang": "th" if lang == "en" else "en"}
        session = self.load_session(request)
        claims = session.claims if session and session.kind == "staff" else None

        def tr(th: str, en: str) -> str:
            return en if lang == "en" else th

        def be_date(day: str, short: bool = False) -> str:
            return fmt.be_date(day, lang, short=short)

        html = self.env.get_template(template).render(
            lang=lang, tr=tr, be_date=be_date, toggle_url=f"{request.url.path}?{urlencode(query)}",
            csrf=self.csrf(session) if claims else "", user=claims, path=request.url.path, nav=self.nav,
            **(values or {}),
        )
        response = HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})
        if request.query_params.get("lang") in ("th", "en"):
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax",
                                secure=self.settings.secure_cookies)
        return response


def web(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.web
    return ctx


def render(request: Request, name: str, context: Mapping[str, Any] | None = None, *,
           status_code: int = 200) -> HTMLResponse:
    """A page from the shared templates or any feature's (``templates/`` of each installed feature)."""
    return web(request).render(request, name, context, status_code=status_code)


def staff(request: Request) -> Claims:
    """FastAPI dependency: the signed-in staff member's claims; without a session a page redirects to
    sign-in (other methods answer 401). Each page still checks its own scope (``contracts.access``)."""
    ctx = web(request)
    session = ctx.load_session(request)
    claims = session.claims if session is not None and session.kind == "staff" else None
    if session is None or claims is None:
        query = f"?{request.url.query}" if request.url.query else ""
        raise SignInRequired(request.url.path + query)
    request.state.web_session = session
    return claims


async def csrf_form(request: Request) -> FormData:
    """FastAPI dependency for a form post: the form, once its CSRF token matches the session's. Declare it
    after ``staff`` so that a missing session is reported (401) before a CSRF failure."""
    form = await request.form(max_files=0, max_fields=200)
    ctx = web(request)
    ctx.check_csrf(ctx.load_session(request, ended_too=True), form)
    return form


def sign_in_url(next_path: str) -> str:
    return f"{PREFIX}/auth/signin?next={quote(next_path, safe='/')}"
