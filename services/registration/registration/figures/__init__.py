"""The figures export: every case's reporting snapshot (codes, counts, amounts; no personal data) for the
reporting service to recompute its totals from the source of truth (issue 10, reconciliation)."""

from registration.figures import api
from registration.web.feature import Feature

FEATURE = Feature("figures", [api.router])
