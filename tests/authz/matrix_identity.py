"""Authorization matrix entries for identity (format: README.md).

Staff accounts: uploading needs district officer or above and every row must be within the
uploader's unit and level (``contracts.access.may_manage_staff``; a row outside → 422, nothing
imported); the directory is for province officers (their province) and DOPA; deactivating an
account outside one's unit is 404 so its existence is not revealed. The audit log is for auditors
only. Every staff account may link its own ThaiD (never someone else's: the link is to the signed-in
account). Pages use the session cookie (sign-in through Keycloak, ThaiD being the simulator) and CSRF; without a
session they redirect to sign-in (303). The ThaiD simulator's routes (``/dev/thaid/…``) exist only with ENV=dev
and are public by design: they stand in for DOPA's ThaiD, which Keycloak brokers to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from infra.dev.browser import DevBrowser
from tests.authz import matrix_identity_activation
from tests.authz.model import Call, Context, Entry, expect
from tests.authz.seed import staff_csv

UPLOADERS = {"district_officer_4701": "2xx", "district_officer_4702": "422", "province_officer_47": "2xx",
             "province_officer_48": "422", "dopa_admin": "2xx"}
DIRECTORY_READERS = {"province_officer_47": "2xx", "province_officer_48": "2xx", "dopa_admin": "2xx"}
DEACTIVATORS = {"district_officer_4701": "2xx", "district_officer_4702": "404", "province_officer_47": "2xx",
                "province_officer_48": "404", "dopa_admin": "2xx"}
PAGE_VIEWERS = {"district_officer_4701": "2xx", "district_officer_4702": "2xx", "province_officer_47": "2xx",
                "province_officer_48": "2xx", "dopa_admin": "2xx"}
# What Keycloak's ThaiD broker sends to the simulator (a confidential client: no PKCE).
THAID_PARAMS = {"response_type": "code", "client_id": "thaid-dev", "state": "matrix", "scope": "openid pid",
                "redirect_uri": "http://127.0.0.1:9/realms/debt/broker/thaid/endpoint"}


def sign_in(service_url: str, persona: str, issuer_url: str) -> DevBrowser:
    browser = DevBrowser()
    landed = browser.sign_in_through(f"{service_url}/signin?next=/", persona)
    if landed.status_code != 303:
        raise AssertionError(f"signing {persona} in to identity failed: {landed.status_code} {landed.text[:200]}")
    return browser


def _citizen_id(seed: str) -> str:
    first12 = "4" + str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:11]
    return first12 + str((11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10)


def upload_call(via: str) -> Callable[[Context, str], Call]:
    def call(_ctx: Context, persona: str) -> Call:
        content = staff_csv([(_citizen_id(f"{via}:{persona}"), "4701", "registrar")])
        csrf = "/" if via == "page" else None
        return Call(files={"file": ("staff.csv", content, "text/csv")}, csrf_from=csrf)

    return call


SIGNED_IN_FORM = Call(csrf_from="/")

ENTRIES = [
    # ---------------------------------------------------------------- JSON API (bearer tokens)
    Entry("POST", "/api/v1/staff/imports", expect("403", anonymous="401", **UPLOADERS), call=upload_call("api"),
          note="422: the row (a registrar of 4701) is outside the uploader's unit, so nothing is imported"),
    Entry("GET", "/api/v1/staff", expect("403", anonymous="401", **DIRECTORY_READERS)),
    Entry("POST", "/api/v1/staff/{user_id}/deactivate", expect("403", anonymous="401", **DEACTIVATORS),
          path_values={"user_id": "{staff_user_id}"},
          note="deactivating twice is harmless, so every allowed persona gets 2xx"),
    Entry("GET", "/api/v1/audit", expect("403", anonymous="401", auditor="2xx")),
    # ---------------------------------------------------------------- pages (session cookie + CSRF)
    Entry("GET", "/", expect("2xx")),
    Entry("GET", "/signin", expect("3xx"), note="starts the code flow: a redirect to the IdP"),
    Entry("GET", "/signin/callback", expect("400"), note="no pending sign-in (state cookie) → refused"),
    Entry("POST", "/signout", expect("3xx"), note="without a session it redirects to sign-in"),
    Entry("GET", "/staff/import", expect("403", anonymous="3xx", **PAGE_VIEWERS), auth="session"),
    Entry("POST", "/staff/import", expect("403", anonymous="3xx", **UPLOADERS), auth="session",
          call=upload_call("page")),
    Entry("GET", "/staff/directory", expect("403", anonymous="3xx", **DIRECTORY_READERS), auth="session"),
    Entry("POST", "/staff/{user_id}/deactivate",
          expect("403", anonymous="3xx", **{k: "3xx" if v == "2xx" else v for k, v in DEACTIVATORS.items()}),
          auth="session", call=SIGNED_IN_FORM, path_values={"user_id": "{staff_user_id}"},
          note="success redirects back to the directory (303)"),
    Entry("GET", "/audit", expect("403", anonymous="3xx", auditor="2xx"), auth="session"),
    Entry("POST", "/staff/link-thaid", expect("3xx", citizen_owner="403", citizen_other="403"), auth="session",
          call=SIGNED_IN_FORM,
          note="every staff account may link its own ThaiD: a 303 to the IdP with kc_action=idp_link:thaid; "
               "citizens already sign in with ThaiD (403); without a session, a redirect to sign-in"),
    # ---------------------------------------------------------------- ThaiD simulator (ENV=dev only)
    Entry("GET", "/dev/thaid/.well-known/openid-configuration", expect("2xx")),
    Entry("GET", "/dev/thaid/jwks", expect("2xx")),
    Entry("GET", "/dev/thaid/api/v2/oauth2/auth/", expect("2xx"), call=Call(params=THAID_PARAMS),
          note="the person page: anyone may reach it, which is why it exists only with ENV=dev"),
    Entry("POST", "/dev/thaid/api/v2/oauth2/auth/", expect("403"),
          call=Call(data={**THAID_PARAMS, "citizen_id": "1101700230708"}), note="no CSRF token → refused"),
    Entry("POST", "/dev/thaid/api/v2/oauth2/token/", expect("400", anonymous="401"),
          note="only the broker client (HTTP Basic or form secret) may exchange codes: no client credentials "
               "→ 401 invalid_client; a bearer token instead of them → 400 invalid_request"),
    *matrix_identity_activation.ENTRIES,
]
