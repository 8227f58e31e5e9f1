"""Web plumbing every feature shares: sessions, sign-in, CSRF, templates, static files.

``install_web`` mounts them and each feature's routers and templates; ``create_app`` calls it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from contracts.rate_limit_storage import rate_limit_storage
from contracts.web import SecurityHeaders
from registration.settings import Settings
from registration.web import sign_in
from registration.web.context import PageProblem, WebContext
from registration.web.feature import Feature
from registration.web.pdf import FONT_DIR
from registration.web.settings import WebSettings

STATIC = Path(__file__).parent / "static"


async def _on_page_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageProblem)
    ctx: WebContext = request.app.state.web
    response = ctx.render(request, "message.html", status_code=exc.status, th=exc.th, en=exc.en,
                          sign_in=exc.sign_in)
    response.headers.update(exc.headers)
    return response


def install_web(app: FastAPI, settings: Settings, features: Sequence[Feature]) -> None:
    web = WebSettings(env=settings.env)
    templates = [f.templates for f in features if f.templates is not None]
    app.state.web = WebContext.build(web, settings.oidc_issuer_url, settings.mongodb_database, templates,
                                     rate_limit_storage(settings.mongodb_uri, settings.mongodb_database))
    app.add_middleware(SecurityHeaders, hsts=web.secure_cookies)
    # Fonts first: the /static mount would otherwise claim /static/fonts/… too.
    app.mount("/static/fonts", StaticFiles(directory=FONT_DIR), name="fonts")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(PageProblem, _on_page_problem)
    app.include_router(sign_in.router)
    for feature in features:
        for router in feature.routers:
            app.include_router(router)
