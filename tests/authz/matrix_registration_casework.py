"""Authorization matrix entries for registration's casework JSON API (format: tests/authz/README.md).

The seeded case lives in district 4701 (province 47). Casework belongs to the district (``contracts.access``):
only ``district_officer_4701`` works it; the province's officers and DOPA oversee it (they read it, and a
change is 403); everyone else, the debtor included, cannot tell it exists (404).

Every change carries the revision the client saw. These entries send a revision the case never had, so an
officer who passes the access check gets 409 ``case.changed_meanwhile`` and the seeded case is never changed
(later entries and modules see it as seeded). The changes themselves, allowed and refused, are exercised for
real in services/registration/tests/integration/test_casework_api.py.
"""

from __future__ import annotations

from typing import Any

from tests.authz.model import Call, Context, Entry, expect

NEVER_SEEN = 2**31  # the largest revision the API accepts; no case gets there
CASES = "/api/v1/casework/cases/{case_id}"
# Past the access check, a change with a stale revision is 409; overseers 403; others 404.
WORK = expect("404", anonymous="401", district_officer_4701="409", province_officer_47="403", dopa_admin="403")
# Accepting or refusing a transfer is the receiving district's, and none is pending on the seeded case: those who
# can see the case are told so (409 transfer.none_pending); others, 4702 included, learn nothing (404).
ANSWER = expect("404", anonymous="401", district_officer_4701="409", province_officer_47="409", dopa_admin="409")


def _change(**values: Any) -> Call:
    return Call(json={"revision": NEVER_SEEN, **values})


def _change_entry(method: str, path: str, call: Call, note: str = "", expected: dict[str, str] = WORK,
                  path_values: dict[str, str] | None = None) -> Entry:
    return Entry(method, f"{CASES}{path}", expected, call=call, path_values=path_values or {},
                 note=note or "district_officer_4701 passes the access check and meets the stale revision (409)")


def _assignment(ctx: Context, persona: str) -> Call:
    return Call(json={"case_ids": [ctx.values["case_id"]], "officer_sub": None})


SESSION = {"session_no": "1"}

ENTRIES = [
    Entry(
        "GET", CASES,
        expect("404", anonymous="401", district_officer_4701="2xx", province_officer_47="2xx", dopa_admin="2xx"),
        note="casework is read by the case's district, its province and DOPA; registrars, other districts and "
             "the debtor get 404 (the debtor follows the case through /api/v1/registrations)",
    ),
    _change_entry("POST", "/contacts", _change(method="phone", result="reached", contacted_on="2025-01-10")),
    _change_entry("POST", "/decision", _change(decision="wants_mediation")),
    _change_entry("POST", "/mediation", _change(scheduled_at="2025-01-20T09:30", place="อำเภอ", mediator="ปลัดอำเภอ")),
    _change_entry("PATCH", "/mediation/{session_no}", _change(scheduled_at="2025-01-21T09:30"), path_values=SESSION),
    _change_entry("POST", "/mediation/{session_no}/cancellation", _change(), path_values=SESSION),
    _change_entry("POST", "/mediation/{session_no}/result",
                  _change(debtor_present=True, creditor_present=True, result="no_agreement", debt_before="26,000"),
                  path_values=SESSION),
    _change_entry("POST", "/referrals", _change(to="police", reason="excessive_interest")),
    _change_entry("POST", "/close", _change(reason="duplicate")),
    _change_entry("POST", "/withdraw", _change()),
    _change_entry("POST", "/reopen", _change(note="ขอดำเนินการต่อ")),
    _change_entry("POST", "/transfer", _change(to_district_code="4702")),
    _change_entry("POST", "/transfer/accept", _change(), expected=ANSWER,
                  note="only the receiving district's officers answer a pending transfer; none is pending here"),
    _change_entry("POST", "/transfer/refuse", _change(reason="not_in_area"), expected=ANSWER,
                  note="only the receiving district's officers answer a pending transfer; none is pending here"),
    Entry(
        "POST", "/api/v1/casework/assignments",
        expect("403", anonymous="401", district_officer_4701="2xx", district_officer_4702="2xx"),
        call=_assignment,
        note="district officers may ask; each case is then checked on its own: 4701's unassigns (or leaves "
             "unassigned) the seeded case, 4702's answer lists it as failed with case.not_found and nothing else. "
             "Everyone else does no casework (403)",
    ),
]
