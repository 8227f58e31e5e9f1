"""Authorization matrix entries for registration's web pages (cookie sessions; format: README.md).

Citizens sign in through the public flow (client ``debt-public``), everyone else through the staff flow
(``debt-staff``); an auditor's sign-in is refused (these pages are not theirs), so an auditor browses
like an anonymous visitor. A page that needs a session answers a browser without one with a redirect
to sign-in (GET) or 401 (POST); a signed-in person without the role gets 403. Entries that end or
replace the session (sign-out, sign-in) come last.
"""

from __future__ import annotations

from typing import Any

from infra.dev.browser import DevBrowser
from tests.authz.model import Call, Context, Entry, expect

DESK_STAFF = ("registrar_4701", "registrar_4702", "registrar_4801", "district_officer_4701", "district_officer_4702")
NOT_DESK = ("province_officer_47", "province_officer_48", "dopa_admin")
CONTACT = {"debtor.phone": "0812345678", "debtor.address.line": "99 หมู่ 3", "debtor.address.province_code": "47",
           "debtor.address.district_code": "4701", "debtor.address.subdistrict_code": "470101"}
PERSON = {"debtor.citizen_id": "5100000000019", "debtor.given_name": "สมศรี", "debtor.family_name": "ใจดี",
          "debtor.birth_date": "12/03/2523", "paper_form_no": "PF-0001", "paper_received_on": "01/12/2566"}
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a"
    "1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f000001050101010101"
    "0100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107"
    "227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a53545556575859"
    "5a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5"
    "c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"
)


def sign_in(service_url: str, persona: str, issuer_url: str) -> DevBrowser:
    flow = "public" if persona.startswith("citizen:") else "staff"
    browser = DevBrowser()
    browser.sign_in_through(f"{service_url}/auth/signin?flow={flow}&next=/register", persona)
    return browser  # an auditor's refused sign-in leaves a browser without a session, which is the point


def _signed_in_form(data: dict[str, str] | None = None, **extra: Any) -> Any:
    """A form posted with the CSRF token from a page the persona can open in its own session."""
    def call(_ctx: Context, persona: str) -> Call:
        page = "/register/status" if persona.startswith("citizen") else "/staff"
        return Call(data=data or {}, csrf_from=page, **extra)

    return call


ALL_OK = expect("2xx")
PUBLIC_SESSION_GET = expect("3xx", citizen_owner="2xx", citizen_other="2xx")
DESK_GET = expect("3xx", **dict.fromkeys(DESK_STAFF, "2xx"), **dict.fromkeys(NOT_DESK, "403"))
DESK_POST = expect("401", **dict.fromkeys(DESK_STAFF, "3xx"), **dict.fromkeys(NOT_DESK, "403"))
STAFF_UNIT_GET = expect("3xx", **dict.fromkeys(DESK_STAFF, "2xx"), **dict.fromkeys(NOT_DESK, "403"))
# A case's own desks (the seeded case lives in 4701) add to it; other desks must not learn it exists (404);
# province officers and DOPA read cases but do not use desk pages (403).
OTHER_DESKS = {"registrar_4702": "404", "registrar_4801": "404", "district_officer_4702": "404"}
CASE_DESK_GET = expect("3xx", registrar_4701="2xx", district_officer_4701="2xx", **OTHER_DESKS,
                       **dict.fromkeys(NOT_DESK, "403"))
CASE_DESK_POST = expect("401", registrar_4701="3xx", district_officer_4701="3xx", **OTHER_DESKS,
                        **dict.fromkeys(NOT_DESK, "403"))
NEW_CREDITOR = {"creditors.0.kind": "unknown", "creditors.0.debts.0.principal": "1,000",
                "creditors.0.debts.0.outstanding": "1,000"}
NEW_DEBT = {"debts.0.principal": "1,000", "debts.0.outstanding": "1,000"}

ENTRIES = [
    Entry("GET", "/", expect("3xx"), auth="session", note="redirects to /register"),
    Entry("GET", "/register", ALL_OK, auth="session", note="public landing page"),
    Entry("GET", "/register/areas", ALL_OK, call=Call(params={"parent": "47"}), auth="session",
          note="public reference data (district names)"),
    Entry("GET", "/register/qr.png", ALL_OK, auth="session", note="public: QR of the registration link"),
    Entry("GET", "/register/qr.svg", ALL_OK, auth="session", note="public: QR of the registration link"),
    Entry("GET", "/register/poster.pdf", ALL_OK, auth="session", note="public poster"),
    Entry("GET", "/forms/paper-form.pdf", ALL_OK, auth="session", note="a blank form: no data"),
    Entry("GET", "/staff", ALL_OK, auth="session", note="staff home: a sign-in button or the menu of one's roles"),
    Entry("GET", "/register/step/{step}", expect("3xx"), path_values={"step": "contact"},
          auth="session", note="both citizens have a case by now (citizen_other registered through the API): "
                               "sent to its status page; staff sessions are sent to the citizen sign-in"),
    Entry("POST", "/register/step/{step}", expect("401", citizen_owner="3xx", citizen_other="3xx"),
          path_values={"step": "contact"}, call=_signed_in_form(CONTACT), auth="session",
          note="a citizen with a case is sent to it rather than filling in a second form"),
    Entry("POST", "/register/submit", expect("401", citizen_owner="422", citizen_other="422"),
          call=_signed_in_form(), auth="session", note="no draft: field errors, nothing stored"),
    Entry("GET", "/register/receipt/{receipt_no}", expect("3xx", citizen_owner="2xx", citizen_other="404"),
          auth="session", note="the owner's receipt; another citizen must not learn it exists (404); staff use "
                               "the desk receipt page"),
    Entry("GET", "/register/status", PUBLIC_SESSION_GET, auth="session"),
    Entry("GET", "/register/more", PUBLIC_SESSION_GET, auth="session",
          note="a registered citizen adds creditors to their own case"),
    Entry("POST", "/register/more", expect("401", citizen_owner="422", citizen_other="422"),
          call=_signed_in_form({"creditors.0.kind": "unknown"}), auth="session",
          note="a creditor without any debt amount: field errors, the case is unchanged"),
    Entry("GET", "/register/more/creditors/{creditor_no}/debts", PUBLIC_SESSION_GET,
          path_values={"creditor_no": "1"}, auth="session",
          note="a citizen adds debts to a creditor on their own case (both citizens have one by now)"),
    Entry("POST", "/register/more/creditors/{creditor_no}/debts",
          expect("401", citizen_owner="3xx", citizen_other="3xx"),
          path_values={"creditor_no": "1"}, call=_signed_in_form(NEW_DEBT), auth="session",
          note="saved to the citizen's own case; staff sessions are not citizen sessions (401)"),
    Entry("GET", "/desk", DESK_GET, auth="session", note="desk registration: registrars and district officers"),
    Entry("POST", "/desk/start", expect("403", **dict.fromkeys(DESK_STAFF, "3xx")),
          call=_signed_in_form({"mode": "paper"}), auth="session",
          note="without a staff session there is no CSRF token to send: 403"),
    Entry("GET", "/desk/step/{step}", DESK_GET, path_values={"step": "person"}, auth="session"),
    Entry("POST", "/desk/step/{step}", DESK_POST, path_values={"step": "person"},
          call=_signed_in_form(PERSON), auth="session"),
    Entry("POST", "/desk/submit", expect("401", **dict.fromkeys(DESK_STAFF, "422"), **dict.fromkeys(NOT_DESK, "403")),
          call=_signed_in_form(), auth="session", note="the desk drafts are incomplete: field errors"),
    Entry("GET", "/desk/receipt/{receipt_no}",
          expect("3xx", registrar_4701="2xx", district_officer_4701="2xx", registrar_4702="404",
                 registrar_4801="404", district_officer_4702="404", **dict.fromkeys(NOT_DESK, "403")),
          auth="session", note="the seeded case lives in 4701: only desks covering 4701 read it at the desk"),
    Entry("GET", "/desk/case/{case_id}", CASE_DESK_GET, auth="session",
          note="a desk adds creditors to a case of its own unit (contracts.access.may_change_case)"),
    Entry("POST", "/desk/case/{case_id}", CASE_DESK_POST, call=_signed_in_form(NEW_CREDITOR), auth="session",
          note="citizens and auditors have no staff session (401)"),
    Entry("GET", "/desk/case/{case_id}/creditors/{creditor_no}/debts", CASE_DESK_GET,
          path_values={"creditor_no": "1"}, auth="session"),
    Entry("POST", "/desk/case/{case_id}/creditors/{creditor_no}/debts", CASE_DESK_POST,
          path_values={"creditor_no": "1"}, call=_signed_in_form(NEW_DEBT), auth="session"),
    Entry("GET", "/staff/publicity", STAFF_UNIT_GET, auth="session", note="units report their signs"),
    Entry("POST", "/staff/publicity", expect("403", **dict.fromkeys(DESK_STAFF, "3xx")),
          call=lambda ctx, persona: Call(data={"place": "หน้าที่ว่าการอำเภอ", "put_up_on": "15/01/2567"},
                                         files={"photo": ("sign.jpg", JPEG, "image/jpeg")},
                                         csrf_from="/staff/publicity"),
          auth="session", note="province officers and DOPA read reports, they do not file them"),
    Entry("GET", "/staff/publicity/province",
          expect("3xx", **dict.fromkeys(DESK_STAFF, "403"), province_officer_47="2xx", province_officer_48="2xx",
                 dopa_admin="2xx"),
          call=Call(params={"province": "47"}), auth="session",
          note="a province officer sees their own province whatever they ask for; DOPA any province"),
    Entry("GET", "/staff/publicity/photo/{photo_id}", expect("404"), path_values={"photo_id": "ph-unknown"},
          auth="session", note="no photo in the seed; who sees which photo is in test_publicity.py"),
    Entry("GET", "/auth/callback", expect("400"), call=Call(params={"code": "x", "state": "forged"}),
          auth="session", note="no sign-in under way in this browser, or a state that is not its own"),
    Entry("POST", "/auth/signout", expect("3xx", auditor="403", anonymous="403"), call=_signed_in_form(),
          auth="session", note="ends the session; without one there is no CSRF token"),
    Entry("GET", "/auth/signin", expect("3xx"), auth="session", note="starts a sign-in at the identity provider"),
]
