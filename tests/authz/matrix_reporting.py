"""Authorization matrix entries for reporting (format: README.md).

Totals follow ``contracts.access.totals_scope``: DOPA the nation, a province officer their province,
district officers and registrars their district (a provincial centre's registrar their province).
Citizens and auditors read no totals."""

from __future__ import annotations

from tests.authz import (
    matrix_reporting_dashboards,
    matrix_reporting_exports,
    matrix_reporting_monthly,
    matrix_reporting_reconcile,
)
from tests.authz.model import Entry, expect

ENTRIES = [
    Entry(
        "GET", "/api/v1/totals",
        expect("2xx", anonymous="401", citizen_owner="403", citizen_other="403", auditor="403"),
        note="every staff persona reads the totals of their own scope only; the scope comes from the token",
    ),
    *matrix_reporting_dashboards.ENTRIES,
    *matrix_reporting_monthly.ENTRIES,
    *matrix_reporting_exports.ENTRIES,
    *matrix_reporting_reconcile.ENTRIES,
]
sign_in = matrix_reporting_dashboards.sign_in  # the staff pages' sign-in (reporting.web)
