"""Reconciliation (issue 10, item 3): the totals recomputed from registration's figures export (its API, no
personal data) and compared with the live totals, every difference by unit and figure; on a schedule and on
demand; the last result through ``/api/v1/reconciliation``, the page ``/reports/reconciliation`` and
Prometheus (``reconciliation_differences``, ``reconciliation_last_success_timestamp_seconds``)."""

from __future__ import annotations

from pathlib import Path

from reporting.reconcile import api, pages, wiring
from reporting.web import Feature, NavLink

HERE = Path(__file__).parent


def feature() -> Feature:
    """Installed with the other features by ``reporting.web.install_web``; ``wiring.router`` carries the
    lifespan that builds the job and its schedule."""
    return Feature("reconcile", [api.router, pages.router, wiring.router], templates=HERE / "templates",
                   nav=[NavLink(pages.BASE, "กระทบยอด", "Reconciliation")])
