"""The registration service's web pages: self-registration, desk registration, publicity.

``install_web`` is the one call ``create_app`` makes; everything else about the pages stays here.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from contracts.web import SecurityHeaders
from registration.adapters.pdf import FONT_DIR
from registration.settings import Settings
from registration.web.context import PageProblem, WebContext
from registration.web.settings import WebSettings

STATIC = Path(__file__).parent / "static"


async def _on_page_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageProblem)
    ctx: WebContext = request.app.state.web
    response = ctx.render(request, "message.html", status_code=exc.status, th=exc.th, en=exc.en,
                          sign_in=exc.sign_in)
    response.headers.update(exc.headers)
    return response


def install_web(app: FastAPI, settings: Settings) -> None:
    # Imported here: the page modules import this package's submodules.
    from registration.api import pages, pages_auth, pages_desk, pages_desk_case, pages_more, pages_publicity

    web = WebSettings(env=settings.env)
    app.state.web = WebContext.build(web, settings.oidc_issuer_url, settings.mongodb_database)
    app.add_middleware(SecurityHeaders, hsts=web.secure_cookies)
    # Fonts first: the /static mount would otherwise claim /static/fonts/… too.
    app.mount("/static/fonts", StaticFiles(directory=FONT_DIR), name="fonts")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(PageProblem, _on_page_problem)
    for module in (pages_auth, pages, pages_more, pages_desk, pages_desk_case, pages_publicity):
        app.include_router(module.router)
