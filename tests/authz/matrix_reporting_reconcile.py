"""Authorization matrix entries for reporting's reconciliation (issue 10, item 3; format: README.md).

Reading the last result follows ``contracts.access.totals_scope`` (each reader sees the differences of their
own units only); starting a run is for DOPA administrators (``may_run_reconciliation``). The matrix stack runs
reporting without the reconciliation's client secret, so a run started here is stored as failed ("not
configured") and still answers 202. Citizens and auditors cannot sign in to the staff pages (see
``matrix_reporting_dashboards``), so the page sends them to sign-in like anonymous visitors.
"""

from __future__ import annotations

from tests.authz.model import Call, Entry, expect

NOT_STAFF = ("anonymous", "citizen_owner", "citizen_other", "auditor")

ENTRIES = [
    Entry("GET", "/api/v1/reconciliation",
          expect("2xx", anonymous="401", citizen_owner="403", citizen_other="403", auditor="403"),
          note="every staff persona reads the last result within their own totals scope"),
    Entry("POST", "/api/v1/reconciliation", expect("403", anonymous="401", dopa_admin="202"),
          note="a run now: DOPA only (202 and the run's id)"),
    Entry("GET", "/reports/reconciliation", expect("2xx", **dict.fromkeys(NOT_STAFF, "3xx")), auth="session",
          note="the last result in Thai, within the staff member's totals scope"),
    Entry("POST", "/reports/reconciliation", expect("403", dopa_admin="3xx", **dict.fromkeys(NOT_STAFF, "401")),
          call=Call(csrf_from="/reports/reconciliation"), auth="session",
          note="the page's run-now button: DOPA (303 back to the page); other staff 403; no session 401"),
]
