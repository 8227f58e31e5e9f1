"""Authorization matrix entries for notify's opt-outs (issue #11, format: README.md).

The inbound-SMS callback (a debtor replied STOP) takes the gateway's basic-auth secret, like delivery reports:
a user's token is refused like none (401). ``/optout/<token>`` needs no sign-in (the signed token names the
message): a forged token is 404 for everyone, and a post without the page's CSRF cookie and value is 403.
The accepted cases are in ``services/notify/tests/integration/test_optout.py``.
"""

from __future__ import annotations

from tests.authz.model import Call, Entry, expect

FORGED = "0" * 32 + "." + "0" * 24

ENTRIES = [
    Entry("POST", "/api/v1/inbound/sms", expect("401"), auth="gateway",
          call=Call(data={"msisdn": "0812345678", "message": "STOP"}),
          note="gateway credentials (basic auth), not staff tokens"),
    Entry("GET", "/optout/{token}", expect("404"), path_values={"token": FORGED}),
    Entry("POST", "/optout/{token}", expect("403"), path_values={"token": FORGED},
          call=Call(data={"csrf": "forged"}), note="no CSRF cookie and value from the page"),
]
