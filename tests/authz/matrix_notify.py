"""Authorization matrix entries for notify (format: README.md).

Look-ups of what was sent follow ``contracts.access.message_log_scope`` (the casework worklist): district 4701's
notices are listed for its district officer, province 47's officer and DOPA; the other district and province
are refused (403), and so is everyone with no worklist (registrars, citizens, auditors). Which bodies each sees
is in ``services/notify/tests/integration/test_lookup_and_receipts.py``. Template previews are DOPA's. The SMS
gateway's delivery-report callback takes the gateway's basic-auth secret, never a user's token: 401 for all.
"""

from __future__ import annotations

from tests.authz import matrix_notify_optout
from tests.authz.model import Call, Entry, expect

ENTRIES = [
    Entry("GET", "/api/v1/messages",
          expect("403", anonymous="401", district_officer_4701="2xx", province_officer_47="2xx", dopa_admin="2xx"),
          call=Call(params={"unit_code": "4701"}),
          note="district 4701's messages: its officer, its province, DOPA"),
    Entry("GET", "/api/v1/templates/{template}/{channel}/preview",
          expect("403", anonymous="401", dopa_admin="2xx"),
          path_values={"template": "registration_receipt", "channel": "sms"}),
    Entry("POST", "/api/v1/receipts/sms", expect("401"), auth="gateway",
          call=Call(data={"ref": "0" * 32, "status": "DELIVRD"}),
          note="gateway credentials (basic auth), not staff tokens: a bearer token is refused like none"),
    *matrix_notify_optout.ENTRIES,
]
