"""Authorization matrix entries for the creditor cross-reference pages (format: README.md).

The list of lenders with many debtors is casework: whoever has a worklist (``contracts.access.worklist_scope``:
district officers, province officers, DOPA) sees it for their own area; registrars do no casework (403).
Citizens' sessions are not staff sessions and auditors cannot sign in to the pages, so both are sent to the
staff sign-in like anonymous visitors. The case page's lender panel is part of the case page's own entry.
"""

from __future__ import annotations

from tests.authz.model import Call, Entry, expect

WORKLIST_STAFF = ("district_officer_4701", "district_officer_4702", "province_officer_47", "province_officer_48",
                  "dopa_admin")
REGISTRARS = ("registrar_4701", "registrar_4702", "registrar_4801")

ENTRIES = [
    Entry("GET", "/casework/lenders",
          expect("3xx", **dict.fromkeys(WORKLIST_STAFF, "2xx"), **dict.fromkeys(REGISTRARS, "403")),
          call=Call(params={"min_debtors": "1"}), auth="session",
          note="lenders' names and phones in one's own area (audited as lender.list); registrars: no worklist"),
]
