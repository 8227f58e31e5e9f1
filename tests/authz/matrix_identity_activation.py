"""Authorization matrix entries for identity's account activation (issue #11, format: README.md).

The staff-contact API (a staff account's e-mail and a fresh activation link) is for notify's service account only
(a client-credentials token of ``debt-notify``; ``contracts.access.may_read_staff_contact``): every persona is
refused (403, audited), no token is 401; notify's 200 is in ``tests/test_staff_welcome.py``. Resending the welcome
is for those who may manage the account (``may_manage_staff``, like deactivation): the seeded account was
deactivated by an earlier entry, so those who may manage it get 404 too (a deactivated account gets no welcome)
and so does everyone outside its unit (existence not revealed); registrars, citizens and auditors are refused.
The staff directory page has the same resend as a button (session cookie + CSRF).
``/activate/<token>`` needs no sign-in (the token is the proof): an unknown token is 404 for everyone, and a post
without the page's CSRF cookie and value is 403.
"""

from __future__ import annotations

from tests.authz.model import Call, Entry, expect

PROVISIONERS_OF_4701 = {"district_officer_4701": "404", "district_officer_4702": "404", "province_officer_47": "404",
                        "province_officer_48": "404", "dopa_admin": "404"}
UNKNOWN_TOKEN = "A" * 43

ENTRIES = [
    Entry("GET", "/api/v1/staff-contacts/{user_id}", expect("403", anonymous="401"),
          path_values={"user_id": "{staff_user_id}"}, note="notify's service account only"),
    Entry("POST", "/api/v1/staff-contacts/{user_id}/activation-link", expect("403", anonymous="401"),
          path_values={"user_id": "{staff_user_id}"}, note="notify's service account only"),
    Entry("POST", "/api/v1/staff/{user_id}/activation", expect("403", anonymous="401", **PROVISIONERS_OF_4701),
          path_values={"user_id": "{staff_user_id}"},
          note="the seeded account is deactivated by then: 404 for its managers as for everyone else allowed to "
               "provision (the 202 and 409 are in tests/test_staff_welcome.py)"),
    Entry("POST", "/staff/{user_id}/activation", expect("403", anonymous="3xx", **PROVISIONERS_OF_4701),
          auth="session", call=Call(csrf_from="/"), path_values={"user_id": "{staff_user_id}"},
          note="the directory page's resend button: as the API (the account is deactivated by then); success "
               "redirects back to the directory (303)"),
    Entry("GET", "/activate/{token}", expect("404"), path_values={"token": UNKNOWN_TOKEN},
          note="public page; an unknown token gets the Thai 'link does not work' page"),
    Entry("POST", "/activate/{token}", expect("403"), path_values={"token": UNKNOWN_TOKEN},
          call=Call(data={"password": "x" * 12, "confirmation": "x" * 12, "csrf": "forged"}),
          note="no CSRF cookie and value from the page: refused before the token is looked at"),
]
