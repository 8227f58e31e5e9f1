"""Authorization matrix entries for the monthly reporting cycle (format: README.md).

Rules: ``contracts.access`` block "Monthly reports". Reading a report: its district's officers, its province's
officers, DOPA. Submitting: only the unit's own officer (district officer 4701 for 4701). Returning a district's
report: only its province's officer; a province's: only DOPA. The board: province officers (their districts)
and DOPA. Registrars, citizens and auditors take no part (403); no token is 401.

The month used is October 2025 (long closed, so it may be submitted). Entries run in order: district officer
4701 submits (2xx), then province officer 47 returns it with a Thai reason (2xx), which leaves the report
returned, so a later run of the matrix on the same database submits again. The staff pages (cookie sessions,
signed in by ``matrix_reporting.sign_in``) then do the same through their forms: the district officer resubmits,
the province officer returns it again. Citizens and auditors get no staff session, so like anonymous visitors
their page requests are sent to sign-in (3xx) and their form posts answer 401.
"""

from __future__ import annotations

from tests.authz.model import Call, Entry, expect

PERIOD = "2025-10"
NOT_STAFF = ("anonymous", "citizen_owner", "citizen_other", "auditor")
REGISTRARS = ("registrar_4701", "registrar_4702", "registrar_4801")
REPORT_PAGE = f"/reports/monthly/4701/{PERIOD}"
CYCLE_STAFF = ("district_officer_4701", "district_officer_4702", "province_officer_47", "province_officer_48",
               "dopa_admin")

ENTRIES = [
    Entry("GET", "/api/v1/reports/periods",
          expect("403", anonymous="401", **dict.fromkeys(CYCLE_STAFF, "2xx")),
          note="the fiscal year's months and due dates, for whoever takes part in the cycle"),
    Entry("GET", "/api/v1/reports/completeness",
          expect("403", anonymous="401", province_officer_47="2xx", province_officer_48="2xx", dopa_admin="2xx"),
          call=Call(params={"period": PERIOD}),
          note="a province officer sees their own districts' board, DOPA the nation's; district officers do not"),
    Entry("GET", "/api/v1/reports/{unit_code}/{period}",
          expect("403", anonymous="401", district_officer_4701="2xx", province_officer_47="2xx", dopa_admin="2xx"),
          path_values={"unit_code": "4701", "period": PERIOD},
          note="district 4701's report: its officers, its province's, DOPA"),
    Entry("POST", "/api/v1/reports/{unit_code}/{period}/submit",
          expect("403", anonymous="401", district_officer_4701="2xx"),
          path_values={"unit_code": "4701", "period": PERIOD},
          note="only the district's own officer submits; neither the province nor DOPA on its behalf"),
    Entry("POST", "/api/v1/reports/{unit_code}/{period}/return",
          expect("403", anonymous="401", province_officer_47="2xx"),
          call=Call(json={"reason": "ตัวเลขผลการไกล่เกลี่ยไม่ครบ กรุณาตรวจสอบแล้วส่งใหม่"}),
          path_values={"unit_code": "4701", "period": PERIOD},
          note="only the province's officer returns a district's report (DOPA returns provinces' reports)"),
    Entry("GET", "/reports/monthly", expect("3xx", **dict.fromkeys(REGISTRARS, "403")), auth="session",
          note="to one's own report (district officers) or board (province, DOPA); registrars take no part"),
    Entry("GET", "/reports/monthly/board",
          expect("403", province_officer_47="2xx", province_officer_48="2xx", dopa_admin="2xx",
                 **dict.fromkeys(NOT_STAFF, "3xx")),
          call=Call(params={"period": PERIOD}), auth="session"),
    Entry("GET", "/reports/monthly/{unit_code}/{period}",
          expect("403", district_officer_4701="2xx", province_officer_47="2xx", dopa_admin="2xx",
                 **dict.fromkeys(NOT_STAFF, "3xx")),
          path_values={"unit_code": "4701", "period": PERIOD}, auth="session"),
    Entry("POST", "/reports/monthly/{unit_code}/{period}/submit",
          expect("403", district_officer_4701="3xx", **dict.fromkeys(NOT_STAFF, "401")),
          call=Call(csrf_from=REPORT_PAGE), path_values={"unit_code": "4701", "period": PERIOD}, auth="session",
          note="the returned report resubmitted through the form (303 back to the report)"),
    Entry("POST", "/reports/monthly/{unit_code}/{period}/return",
          expect("403", province_officer_47="3xx", **dict.fromkeys(NOT_STAFF, "401")),
          call=Call(data={"reason": "ตัวเลขยังไม่ครบ กรุณาตรวจสอบ", "back": "47"}, csrf_from=REPORT_PAGE),
          path_values={"unit_code": "4701", "period": PERIOD}, auth="session",
          note="the province officer returns it from the review (303 back to the province's report)"),
]
