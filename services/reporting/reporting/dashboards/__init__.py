"""Dashboards (issue 10, item 4): live figures of the nation, a province and a district, drilled down from
one to the next, with daily charts, the ministry's rankings and a tile map of the 77 provinces."""

from __future__ import annotations

from pathlib import Path

from reporting.dashboards import routes
from reporting.web import Feature, NavLink

HERE = Path(__file__).parent


def feature() -> Feature:
    return Feature("dashboards", [routes.router], templates=HERE / "templates", static=HERE / "static",
                   nav=[NavLink(routes.BASE, "แดชบอร์ด", "Dashboards")])
