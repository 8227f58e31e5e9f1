"""Authorization matrix entries for reporting's monthly report exports: the JSON API (bearer tokens) and the
exports page (cookie sessions; format: README.md).

Exports follow ``contracts.access.totals_scope`` like the totals: district 4701's report may be exported by
its district officer and registrar, province 47's officer and DOPA; other staff are refused (403), citizens
and auditors have no reports (403 on the API; the pages send them to sign in, where they get no session).
A job is seen by its owner and by anyone whose scope covers its unit; job ids are random, so the matrix asks
for one that does not exist (404 for everyone signed in); seeing another unit's job is in the integration
tests (``services/reporting/tests/integration/test_exports_http.py``).
"""

from __future__ import annotations

from tests.authz.model import Call, Entry, expect

NOT_STAFF = ("anonymous", "citizen_owner", "citizen_other", "auditor")
NO_REPORTS = {"citizen_owner": "403", "citizen_other": "403", "auditor": "403"}
DISTRICT_4701 = {"dopa_admin": "2xx", "province_officer_47": "2xx", "district_officer_4701": "2xx",
                 "registrar_4701": "2xx"}
NO_JOB = {"job_id": "0" * 32}
BODY = {"level": "district", "code": "4701", "period": "2026-11", "format": "xlsx"}

ENTRIES = [
    Entry("POST", "/api/v1/exports/monthly", expect("403", anonymous="401", **DISTRICT_4701), call=Call(json=BODY),
          note="district 4701's report: its own staff, its province, DOPA; other districts and provinces 403"),
    Entry("GET", "/api/v1/exports/monthly", expect("2xx", anonymous="401", **NO_REPORTS),
          note="one's own exports; people without reports are refused"),
    Entry("GET", "/api/v1/exports/monthly/{job_id}", expect("404", anonymous="401"), path_values=NO_JOB,
          note="no such job (ids are random): 404 for everyone signed in"),
    Entry("GET", "/api/v1/exports/monthly/{job_id}/file", expect("404", anonymous="401"), path_values=NO_JOB),
    Entry("GET", "/reports/exports", expect("2xx", **dict.fromkeys(NOT_STAFF, "3xx")), auth="session",
          note="every staff persona has a totals scope, so a page; others are sent to sign in"),
    Entry("POST", "/reports/exports",
          expect("403", **dict.fromkeys(NOT_STAFF, "401"), **{k: "3xx" for k in DISTRICT_4701}),
          call=Call(data={"unit": "district:4701", "period": "2026-11", "format": "pdf"},
                    csrf_from="/reports/exports"), auth="session",
          note="starts district 4701's export and goes back to the page (303); outside one's scope 403"),
    Entry("GET", "/reports/exports/{job_id}/file", expect("404", **dict.fromkeys(NOT_STAFF, "3xx")),
          path_values=NO_JOB, auth="session"),
]
