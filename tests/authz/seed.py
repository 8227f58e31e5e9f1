"""What the matrix acts on: one case in district 4701 (province 47) registered online by citizen
1101700230708, and one staff account (a registrar of 4701) in identity. Adapt the request shapes
here when the services' APIs change; the entries only read ``ctx.values``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.authz.model import PERSONAS

OWNER = (PERSONAS["citizen_owner"] or "").split(":", 1)[1]
OTHER = (PERSONAS["citizen_other"] or "").split(":", 1)[1]
STAFF_CITIZEN_ID = "3470100000011"  # the seeded registrar of 4701 (valid check digit)


def self_registration(address_district: str = "4701") -> dict[str, Any]:
    """Registration's current request shape for a citizen registering online (ID, names from the token)."""
    address = {"line": "99 หมู่ 3", "subdistrict_code": f"{address_district}01", "district_code": address_district,
               "province_code": address_district[:2]}
    debt = {"principal": "20,000", "outstanding": "26,000", "interest_rate": "20", "interest_period": "month"}
    return {"channel": "self_online", "debtor": {"phone": "0812345678", "address": address},
            "creditors": [{"kind": "person", "name": "เจ๊หน่อย", "debts": [debt]}],
            "help_wanted": ["mediation"], "privacy_acknowledged": True}


def seed_case(registration_url: str, token_for: Callable[[str], str]) -> dict[str, str]:
    answer = httpx.post(f"{registration_url}/api/v1/registrations", json=self_registration(), timeout=15,
                        headers={"Authorization": f"Bearer {token_for(PERSONAS['citizen_owner'] or '')}"})
    if answer.status_code not in (200, 201):
        raise AssertionError(f"seeding the case failed ({answer.status_code}): {answer.text[:500]}\n"
                             "Adapt tests/authz/seed.py to registration's current request shape.")
    body = answer.json()
    return {"case_id": body["case_id"], "receipt_no": body["receipt_no"], "citizen_id": OWNER,
            "other_citizen_id": OTHER, "province_code": "47", "district_code": "4701"}


def staff_csv(rows: list[tuple[str, str, str]]) -> bytes:
    """A staff list (citizen ID, unit code, role per row) in the upload format."""
    lines = ["citizen_id,title,given_name,family_name,position,unit_code,role,email,phone"]
    lines += [f"{cid},นาย,ทดสอบ,สิทธิ์,เจ้าพนักงานปกครอง,{unit},{role},{cid}@example.go.th," for cid, unit, role in rows]
    return ("\n".join(lines) + "\n").encode()


def seed_staff(identity_url: str, token_for: Callable[[str], str]) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token_for('dopa_admin')}"}
    files = {"file": ("staff.csv", staff_csv([(STAFF_CITIZEN_ID, "4701", "registrar")]), "text/csv")}
    answer = httpx.post(f"{identity_url}/api/v1/staff/imports", files=files, headers=headers, timeout=15)
    if answer.status_code != 200:
        raise AssertionError(f"seeding a staff account failed ({answer.status_code}): {answer.text[:500]}")
    body = answer.json()
    return {"staff_user_id": (body["created"] or body["updated"])[0]["id"]}  # updated: a real Keycloak, rerun
