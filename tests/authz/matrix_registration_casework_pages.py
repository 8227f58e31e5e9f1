"""Authorization matrix entries for the casework pages: the worklist, bulk assignment, incoming transfers, the
case page and its action forms (cookie sessions; format: README.md).

The worklist is ``contracts.access.worklist_scope``'s: district officers work their district, province officers
and DOPA read theirs; registrars do no casework (403). Citizens' sessions are not staff sessions and auditors
cannot sign in to the pages, so both meet the staff sign-in like anonymous visitors (a redirect for a page,
401 for a post). The seeded case lives in 4701 (province 47): other districts and provinces cannot tell it
exists (404), its province and DOPA read it without forms (a change is 403). The posts change nothing: the
assignment ticks no case, and the action carries a revision the case never had (409, the page shown again).
"""

from __future__ import annotations

from tests.authz.model import Call, Entry, expect

DISTRICTS = ("district_officer_4701", "district_officer_4702")
OVERSEERS = ("province_officer_47", "province_officer_48", "dopa_admin")
REGISTRARS = ("registrar_4701", "registrar_4702", "registrar_4801")
NEVER_SEEN = str(2**31)

ENTRIES = [
    Entry("GET", "/casework",
          expect("3xx", **dict.fromkeys(DISTRICTS + OVERSEERS, "2xx"), **dict.fromkeys(REGISTRARS, "403")),
          auth="session", note="each sees their own scope's cases (audited as case.list); registrars: no worklist"),
    Entry("POST", "/casework/assign",
          expect("401", **dict.fromkeys(DISTRICTS, "3xx"), **dict.fromkeys(OVERSEERS + REGISTRARS, "403")),
          call=Call(data={"officer": "me"}, csrf_from="/staff"), auth="session",
          note="no case ticked: back to the worklist with a message; provinces and DOPA read only (403)"),
    Entry("GET", "/casework/transfers",
          expect("3xx", **dict.fromkeys(DISTRICTS, "2xx"), **dict.fromkeys(OVERSEERS + REGISTRARS, "403")),
          auth="session", note="a district answers the transfers it is asked to take; no one else does"),
    Entry("GET", "/casework/assets/{name}", expect("2xx"), path_values={"name": "casework.css"}, auth="session",
          note="the pages' stylesheet: no data"),
    Entry("GET", "/casework/cases/{case_id}",
          expect("3xx", district_officer_4701="2xx", district_officer_4702="404", province_officer_47="2xx",
                 province_officer_48="404", dopa_admin="2xx", **dict.fromkeys(REGISTRARS, "403")),
          auth="session", note="Casework.open: the case's district, province and DOPA (audited as case.read)"),
    Entry("POST", "/casework/cases/{case_id}/{action}",
          expect("401", district_officer_4701="409", district_officer_4702="404", province_officer_47="403",
                 province_officer_48="404", dopa_admin="403", **dict.fromkeys(REGISTRARS, "403")),
          path_values={"action": "contact"},
          call=Call(data={"revision": NEVER_SEEN, "contact.method": "phone", "contact.result": "reached"},
                    csrf_from="/staff"),
          auth="session", note="the case's district officer meets the stale revision: the page again, 409"),
]
