"""Intake: self-registration (ThaiD), desk and paper registration, the JSON API, adding creditors and debts."""

from __future__ import annotations

from pathlib import Path

from registration.intake import api, pages, pages_desk, pages_desk_case, pages_more
from registration.web.feature import Feature

FEATURE = Feature("intake", [api.router, pages.router, pages_more.router, pages_desk.router,
                             pages_desk_case.router], Path(__file__).parent / "templates")
