"""Casework: what a district does after registration — contact attempts, the debtor's decision, mediation
sessions and their results, referrals, closing and reopening, transfers between districts, assignment and
letters. The state machine is a table (``transitions``); the use cases (``use_cases.Casework``) serve the
JSON API (``api``) and the pages."""

from __future__ import annotations

from pathlib import Path

from registration.casework import (
    api,
    case_export_api,
    case_export_pages,
    pages,
    pages_case,
    pages_lenders,
    pages_letters,
)
from registration.web.feature import Feature

FEATURE = Feature("casework", [api.router, pages_lenders.router, pages_letters.router, pages.router, pages_case.router,
                               case_export_api.router, case_export_pages.router], Path(__file__).parent / "templates")
