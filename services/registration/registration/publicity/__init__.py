"""Publicity: the districts' campaign reports, posters with QR codes, the province's overview."""

from __future__ import annotations

from pathlib import Path

from registration.publicity import pages
from registration.web.feature import Feature

FEATURE = Feature("publicity", [pages.router], Path(__file__).parent / "templates")
