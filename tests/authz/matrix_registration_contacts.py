"""Authorization matrix entries for registration's debtor-contact API (issue #11, format: README.md).

Only notify's service account (a client-credentials token of ``debt-notify``; ``contracts.access
.may_read_debtor_contact``) reads a debtor's phone, so every persona, staff, citizens (even the case's own
debtor) and DOPA alike, is refused (403, audited); no token is 401. The service account's 200 is in
``services/registration/tests/integration/test_contacts_api.py``.
"""

from __future__ import annotations

from tests.authz.model import Entry, expect

ENTRIES = [
    Entry("GET", "/api/v1/contacts/cases/{case_id}", expect("403", anonymous="401"),
          note="notify's service account only; people read a case through the case routes"),
]
