"""Authorization matrix entries for registration's case-list exports: the JSON API (bearer tokens) and the
staff pages (cookie sessions; format: README.md).

A case list follows ``contracts.access.worklist_scope``: district 4701's list may be exported by its district
officer, province 47's officer and DOPA (who names a district or province); the other district and province
are refused (403), and so are people with no worklist (registrars, citizens, auditors). A job is seen by its
owner and by whoever may export the same area; job ids are random, so the matrix asks for one that does not
exist (404 for everyone signed in). Seeing another area's job is in
``services/registration/tests/integration/test_case_export.py``. Pages need a staff session: a citizen's, an
auditor's (refused at sign-in) or none is sent to sign in (GET) or refused (POST, 401).
"""

from __future__ import annotations

from tests.authz.model import Call, Context, Entry, expect

WORKLIST = {"district_officer_4701": "2xx", "district_officer_4702": "2xx", "province_officer_47": "2xx",
            "province_officer_48": "2xx", "dopa_admin": "2xx"}
NO_JOB = {"job_id": "0" * 32}
NOT_STAFF = ("citizen_owner", "citizen_other", "auditor", "anonymous")


def _form(ctx: Context, persona: str) -> Call:
    """District 4701's export, posted with the CSRF token of a page the persona can open in its own session."""
    return Call(data={"district_code": "4701"}, csrf_from="/register/status" if persona.startswith("citizen")
                else "/staff")


ENTRIES = [
    Entry("POST", "/api/v1/exports/cases",
          expect("403", anonymous="401", district_officer_4701="2xx", province_officer_47="2xx", dopa_admin="2xx"),
          call=Call(json={"district_code": "4701"}),
          note="district 4701's case list (personal data, audited): its officer, its province, DOPA"),
    Entry("GET", "/api/v1/exports/cases", expect("403", anonymous="401", **WORKLIST),
          note="one's own exports; people with no worklist are refused"),
    Entry("GET", "/api/v1/exports/cases/{job_id}", expect("404", anonymous="401"), path_values=NO_JOB,
          note="no such job (ids are random): 404 for everyone signed in"),
    Entry("GET", "/api/v1/exports/cases/{job_id}/file", expect("404", anonymous="401"), path_values=NO_JOB),
    Entry("POST", "/casework/exports",
          expect("403", **dict.fromkeys(NOT_STAFF, "401"), district_officer_4701="3xx", province_officer_47="3xx",
                 dopa_admin="3xx"),
          call=_form, auth="session", note="the worklist's button: starts the export and goes to its page (303)"),
    Entry("GET", "/casework/exports/{job_id}", expect("404", **dict.fromkeys(NOT_STAFF, "3xx")), path_values=NO_JOB,
          auth="session", note="no such job: 404 for staff; others are sent to sign in"),
    Entry("GET", "/casework/exports/{job_id}/file", expect("404", **dict.fromkeys(NOT_STAFF, "3xx")),
          path_values=NO_JOB, auth="session"),
]
