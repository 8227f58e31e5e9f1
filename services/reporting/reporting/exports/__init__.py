"""Exports: monthly reports of a district, a province and the nation as .xlsx and PDF, written by background
jobs (``jobs``) that survive a restart. :data:`FEATURE` goes to ``reporting.web.install_web``: the JSON API
(bearer tokens; its router carries the worker's lifespan) and the staff page."""

from __future__ import annotations

from pathlib import Path

from reporting.exports import api, pages
from reporting.web import Feature, NavLink

FEATURE = Feature("exports", [api.router, pages.router], Path(__file__).parent / "templates",
                  nav=[NavLink("/reports/exports", "ส่งออกรายงาน", "Export reports")])
