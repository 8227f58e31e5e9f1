"""Authorization matrix entries for registration's figures export (reconciliation, issue 10; format: README.md).

``contracts.access.may_read_figures_export``: the reporting service's own service account (a client-credentials
token of the ``debt-reporting`` client; no persona here holds one, its test is in
``services/registration/tests/integration/test_figures_export_api.py``) and DOPA administrators. Every other
staff role and citizens are refused (403), whatever their unit: the export covers the nation case by case.
"""

from __future__ import annotations

from tests.authz.model import Entry, expect

ENTRIES = [
    Entry("GET", "/api/v1/figures/cases", expect("403", anonymous="401", dopa_admin="2xx"),
          note="codes, counts and amounts of every case (no personal data): DOPA and the reporting service only"),
]
