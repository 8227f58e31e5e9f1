"""Proof (issue 4): reading a case leaves an audit entry an auditor finds in identity; the entry names
who, unit, when, which case, what and from where, and carries no personal data."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from contracts.claims import TokenVerifier
from infra.dev.testing import RunningService, wait_until
from tests.authz.model import Context

PERSONAL = ("1101700230708", "สมชาย", "0812345678", "เจ๊หน่อย")


def test_reading_a_case_is_found_in_the_audit_log(stack: dict[str, RunningService], seeded: Context,
                                                  token_for: Callable[[str], str], issuer_url: str) -> None:
    reader = token_for("district_officer:4701")
    with stack["registration"].client(reader) as http:
        assert http.get(f"/api/v1/registrations/{seeded.values['receipt_no']}",
                        headers={"x-forwarded-for": "10.20.30.40"}).status_code == 200
    reader_sub = TokenVerifier(issuer_url, "debt-services").verify(reader).sub

    def reads() -> list[dict[str, object]]:
        with stack["identity"].client(token_for("auditor")) as http:
            answer = http.get("/api/v1/audit", params={"case_id": seeded.values["case_id"], "action": "case.read",
                                                       "actor": reader_sub})
        entries: list[dict[str, object]] = answer.json()["entries"]
        return entries

    assert wait_until(lambda: bool(reads()), timeout=30), "the case.read entry never reached identity's audit log"
    entry = reads()[0]
    assert entry["service"] == "registration" and entry["outcome"] == "allowed"
    assert entry["actor_unit_code"] == "4701" and entry["actor_roles"] == ["district_officer"]
    assert entry["occurred_at"] and entry["source_ip"]
    assert not any(value in str(entry) for value in PERSONAL)


def test_an_auditor_cannot_read_cases_and_officers_cannot_read_the_log(
    stack: dict[str, RunningService], seeded: Context, token_for: Callable[[str], str]
) -> None:
    receipt = seeded.values["receipt_no"]
    assert httpx.get(f"{stack['registration'].url}/api/v1/registrations/{receipt}",
                     headers={"Authorization": f"Bearer {token_for('auditor')}"}).status_code == 404
    for persona in ("dopa_admin", "district_officer:4701"):
        assert httpx.get(f"{stack['identity'].url}/api/v1/audit",
                         headers={"Authorization": f"Bearer {token_for(persona)}"}).status_code == 403
