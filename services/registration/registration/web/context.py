"""What every page handler shares: settings, templates, the signed session cookie, CSRF and rate limits."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from limits.storage import Storage
from starlette.datastructures import FormData

from contracts.access import STAFF_ROLES
from contracts.claims import Claims
from contracts.oidc_flow import OidcClient
from contracts.web import RateLimiter, client_address, csrf_token, csrf_valid
from registration.cases.events import Actor
from registration.web import labels
from registration.web.session import SessionStore
from registration.web.settings import WebSettings

TEMPLATES = Path(__file__).parent / "templates"
COOKIE = "reg_session"
LANG_COOKIE = "lang"


class PageProblem(Exception):
    """Ends a request with a bilingual message page (403, 404, 429 …)."""

    def __init__(self, status: int, th: str, en: str, *, headers: dict[str, str] | None = None,
                 sign_in: str | None = None) -> None:
        super().__init__(en)
        self.status, self.th, self.en, self.headers, self.sign_in = status, th, en, headers or {}, sign_in


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

    @property
    def draft(self) -> dict[str, Any]:
        draft: dict[str, Any] = self.doc.get("draft") or {}
        return draft

    def token_expired(self, at: datetime | None = None) -> bool:
        """A signed-in session ends with the access token it was made from (``token_exp``, seconds since
        the epoch); one without it (made before sessions were bound to tokens) counts as ended."""
        if self.kind not in SIGNED_IN_KINDS:
            return False
        exp = self.doc.get("token_exp")
        return not isinstance(exp, int | float) or exp <= (at or now()).timestamp()


@dataclass
class WebContext:
    settings: WebSettings
    database: str
    oidc: OidcClient
    env: Environment
    by_address: RateLimiter
    by_citizen: RateLimiter
    _sessions: SessionStore | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(cls, settings: WebSettings, issuer_url: str, database: str,
              feature_templates: Iterable[Path] = (), rate_storage: Storage | None = None) -> WebContext:
        """``feature_templates``: each feature's own template folder, searched after the shared one.
        ``rate_storage``: where the pages' budgets are counted (``contracts.rate_limit_storage``; shared by
        the replicas), this process's memory when None."""
        env = Environment(
            loader=ChoiceLoader([FileSystemLoader(d) for d in (TEMPLATES, *feature_templates)]),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True, lstrip_blocks=True,
        )
        env.globals.update(labels.template_globals())
        window = settings.rate_window_seconds
        return cls(settings, database, OidcClient(issuer_url), env,
                   RateLimiter(settings.rate_per_address, window, rate_storage, "pages-address"),
                   RateLimiter(settings.rate_per_citizen, window, rate_storage, "pages-citizen"))

    @property
    def secret(self) -> bytes:
        return self.settings.session_secret.encode()

    def sessions(self, request: Request) -> SessionStore:
        # The Mongo client is made in the service's lifespan, after routes are installed.
        with self._lock:
            if self._sessions is None:
                store = SessionStore(request.app.state.mongo[self.database])
                store.ensure_indexes()
                self._sessions = store
            return self._sessions

    # ---- the session cookie: a random id and its HMAC, so a guessed or altered id is refused unread ----

    def _mac(self, sid: str) -> str:
        return hmac.new(self.secret, b"session:" + sid.encode(), hashlib.sha256).hexdigest()[:32]

    def load_session(self, request: Request, *, ended_too: bool = False) -> WebSession | None:
        """The browser's session. One whose access token has expired is None (the visitor signs in again)
        unless ``ended_too``: sign-out, and sign-in looking for a draft to carry over."""
        raw = request.cookies.get(COOKIE, "")
        sid, _, mac = raw.partition(".")
        if not sid or not hmac.compare_digest(self._mac(sid), mac):
            return None
        doc = self.sessions(request).get(sid)
        if doc is None:
            return None
        session = WebSession(sid, doc)
        return session if ended_too or not session.token_expired() else None

    def set_cookie(self, response: Response, sid: str) -> None:
        response.set_cookie(COOKIE, f"{sid}.{self._mac(sid)}", max_age=self.settings.session_ttl_seconds,
                            httponly=True, samesite="lax", secure=self.settings.secure_cookies, path="/")

    def clear_cookie(self, response: Response) -> None:
        response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=self.settings.secure_cookies, path="/")

    # ---- forms ----

    def csrf(self, session: WebSession | None) -> str:
        return csrf_token(self.secret, session.sid) if session else ""

    def check_post(self, request: Request, session: WebSession | None, form: FormData) -> None:
        """CSRF on every form post; the session's absence is reported before a CSRF failure."""
        submitted = form.get("csrf")
        if not csrf_valid(self.secret, session.sid if session else None, submitted if isinstance(submitted, str)
                          else None):
            raise PageProblem(403, "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาย้อนกลับแล้วลองใหม่อีกครั้ง",
                              "The form has expired or is invalid (CSRF). Go back and try again.")

    def limit(self, request: Request, citizen_id: str | None) -> None:
        """Public form posts: a budget per client address and one per citizen."""
        checks = [(self.by_address, "ip:" + client_address(request))]
        if citizen_id:
            checks.append((self.by_citizen, "citizen:" + citizen_id))
        for limiter, key in checks:
            wait = limiter.hit(key)
            if wait is not None:
                raise PageProblem(429, f"มีการส่งข้อมูลถี่เกินไป กรุณารอประมาณ {wait} วินาทีแล้วลองใหม่",
                                  f"Too many submissions. Please wait about {wait} seconds and try again.",
                                  headers={"Retry-After": str(wait)})

    # ---- pages ----

    def lang(self, request: Request) -> str:
        wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
        return "en" if wanted == "en" else "th"

    def render(self, request: Request, template: str, *, session: WebSession | None = None,
               status_code: int = 200, **values: Any) -> HTMLResponse:
        lang = self.lang(request)
        other = "th" if lang == "en" else "en"
        query = {**request.query_params, "lang": other}
        claims = session.claims if session else None

        def tr(th: str, en: str) -> str:
            return en if lang == "en" else th

        html = self.env.get_template(template).render(
            lang=lang, tr=tr, toggle_url=f"{request.url.path}?{urlencode(query)}", csrf=self.csrf(session),
            user=claims, is_staff=bool(claims and claims.has(*STAFF_ROLES)), path=request.url.path, **values,
        )
        response = HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})
        if request.query_params.get("lang") in ("th", "en"):
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax",
                                secure=self.settings.secure_cookies)
        return response


SIGNED_IN_KINDS = ("public", "staff")  # the other kind, "pending", is a sign-in under way


async def posted_form(request: Request) -> FormData:
    """The posted form, read in the event loop so that the (synchronous) handlers never block on the body."""
    return await request.form(max_files=1, max_fields=3000)


def actor(request: Request, claims: Claims) -> Actor:
    """Who is acting, as the audit trail names them."""
    return Actor.of(claims.sub, claims.roles, claims.unit_code, client_address(request),
                    request.headers.get("x-request-id"))


def web(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.web
    return ctx


def now() -> datetime:
    return datetime.now(UTC)
