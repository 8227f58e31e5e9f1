"""Authorization matrix entries for reporting's staff pages: the shared sign-in (``reporting.web``) and the
dashboards (cookie sessions; format: README.md).

Dashboards follow ``contracts.access.totals_scope``: DOPA the nation and everything in it, a province officer
their province and its districts, a district officer or registrar their district. Citizens and auditors
cannot sign in to these pages (the staff client refuses them a session), so they meet the sign-in redirect
like anonymous visitors. The event stream answers exactly as its page does; ``max_seconds=0`` ends it after
the first snapshot so the runner's request completes.
"""

from __future__ import annotations

from infra.dev.browser import DevBrowser
from tests.authz.model import Call, Entry, expect

NOT_STAFF = ("anonymous", "citizen_owner", "citizen_other", "auditor")
STAFF_403 = "403"
PROVINCE_47 = expect(STAFF_403, dopa_admin="2xx", province_officer_47="2xx", **dict.fromkeys(NOT_STAFF, "3xx"))
DISTRICT_4701 = expect(STAFF_403, dopa_admin="2xx", province_officer_47="2xx", district_officer_4701="2xx",
                       registrar_4701="2xx", **dict.fromkeys(NOT_STAFF, "3xx"))


def sign_in(service_url: str, persona: str, issuer_url: str) -> DevBrowser:
    """A browser signed in to the reporting pages through Keycloak (ThaiD simulator) as ``persona``."""
    browser = DevBrowser()
    browser.sign_in_through(f"{service_url}/reports/auth/signin?next=/reports", persona)
    return browser  # a citizen's or auditor's refused sign-in leaves a browser without a session


ENTRIES = [
    Entry("GET", "/reports", expect("2xx"), auth="session", note="the start page: links, or a sign-in button"),
    Entry("GET", "/reports/dashboards", expect("3xx"), auth="session",
          note="staff: to their own unit's dashboard; everyone else: to sign-in"),
    Entry("GET", "/reports/dashboards/nation",
          expect(STAFF_403, dopa_admin="2xx", **dict.fromkeys(NOT_STAFF, "3xx")), auth="session"),
    Entry("GET", "/reports/dashboards/province/{code}", PROVINCE_47, path_values={"code": "{province_code}"},
          auth="session", note="province 47: its officer and DOPA; district staff see only their district"),
    Entry("GET", "/reports/dashboards/district/{code}", DISTRICT_4701, path_values={"code": "{district_code}"},
          auth="session", note="district 4701: its officer and registrar, its province, DOPA"),
    Entry("GET", "/reports/dashboards/events", PROVINCE_47,
          call=Call(params={"level": "province", "code": "47", "max_seconds": "0"}), auth="session",
          note="the live stream of province 47: the same scope as its page"),
    Entry("GET", "/reports/auth/signin", expect("3xx"), auth="session", note="starts a sign-in at Keycloak"),
    Entry("GET", "/reports/auth/callback", expect("400"), call=Call(params={"code": "x", "state": "forged"}),
          auth="session", note="a state this browser's sign-in did not issue"),
    Entry("POST", "/reports/auth/signout", expect("403"), auth="session",
          note="without the session's form token nobody is signed out (CSRF); signing out is in the web tests"),
]
