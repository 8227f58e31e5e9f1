"""Web plumbing every reporting page shares: staff sign-in, sessions, CSRF, templates, static files.

A feature hands ``install_web`` a :class:`Feature` (its routers, ``templates/`` and ``static/`` folders,
header links); its routes take the signed-in claims from the :func:`staff` dependency, check their own
scope in ``contracts.access`` and answer with :func:`render`. Everything is under ``/reports``.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from contracts.web import SecurityHeaders
from reporting.settings import Settings
from reporting.web import sign_in
from reporting.web.context import (
    PREFIX,
    NavLink,
    PageProblem,
    SignInRequired,
    WebContext,
    csrf_form,
    render,
    sign_in_url,
    staff,
    web,
)
from reporting.web.feature import Feature
from reporting.web.settings import WebSettings

STATIC = Path(__file__).parent / "static"
FONT_DIR = Path(str(files("fontpkg_sarabun") / "files"))

__all__ = ["PREFIX", "Feature", "NavLink", "PageProblem", "WebContext", "csrf_form", "install_web", "render",
           "staff", "web"]


async def _on_page_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageProblem)
    return render(request, "message.html", {"th": exc.th, "en": exc.en, "sign_in": exc.sign_in},
                  status_code=exc.status)


async def _on_sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    if request.method in ("GET", "HEAD") and "text/event-stream" not in request.headers.get("accept", ""):
        return RedirectResponse(sign_in_url(exc.next_path), status_code=303)
    # A form post or an event stream cannot follow a redirect to Keycloak usefully.
    return HTMLResponse("sign-in required", status_code=401, headers={"Cache-Control": "no-store"})


def install_web(app: FastAPI, settings: Settings, features: Sequence[Feature],
                web_settings: WebSettings | None = None) -> None:
    web_settings = web_settings or WebSettings(env=settings.env)
    templates = [f.templates for f in features if f.templates is not None]
    nav = [link for f in features for link in f.nav]
    app.state.web = WebContext.build(web_settings, settings.oidc_issuer_url, settings.mongodb_database, templates,
                                     nav)
    app.add_middleware(SecurityHeaders, hsts=web_settings.secure_cookies)
    # The most specific mounts first: /reports/static would otherwise claim them too.
    for feature in features:
        if feature.static is not None:
            app.mount(f"{PREFIX}/static/{feature.name}", StaticFiles(directory=feature.static),
                      name=f"static-{feature.name}")
    app.mount(f"{PREFIX}/static/fonts", StaticFiles(directory=FONT_DIR), name="reporting-fonts")
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="reporting-static")
    app.add_exception_handler(PageProblem, _on_page_problem)
    app.add_exception_handler(SignInRequired, _on_sign_in_required)
    app.include_router(sign_in.router)
    for feature in features:
        for router in feature.routers:
            app.include_router(router)
