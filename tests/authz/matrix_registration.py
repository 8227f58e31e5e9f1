"""Authorization matrix entries for registration's JSON API (format: tests/authz/README.md).

The seeded case is a self-registration of ``citizen_owner`` living in district 4701 (province 47),
so no desk owns it: staff reach it through their district (4701), their province centre or
province (47), and DOPA reads everything (``contracts.access``). Refusals that must not reveal
that a case exists are 404; a refusal to someone who may read the case is 403.

Pages (cookie sessions) and each feature's routes are listed in ``matrix_registration_<feature>.py``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from tests.authz import (
    matrix_registration_case_export,
    matrix_registration_casework,
    matrix_registration_casework_pages,
    matrix_registration_contacts,
    matrix_registration_figures,
    matrix_registration_lenders,
    matrix_registration_letters,
    matrix_registration_pages,
)
from tests.authz.model import Call, Context, Entry, expect

ADDRESS_4701 = {"line": "99 หมู่ 3", "subdistrict_code": "470101", "district_code": "4701", "province_code": "47"}
DEBT = {"principal": "20,000", "outstanding": "26,000", "interest_rate": "20", "interest_period": "month"}
CREDITORS = {"creditors": [{"kind": "person", "name": "เจ๊หน่อย", "debts": [DEBT]}]}


def _new_citizen_id(persona: str) -> str:
    """A valid citizen ID of its own for each staff persona, so desk registrations never collide."""
    first12 = "5" + str(int(hashlib.sha256(persona.encode()).hexdigest(), 16))[:11]
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10
    return first12 + str(check)


def registration_body(ctx: Context, persona: str) -> dict[str, Any]:
    """Citizens register themselves online (ID and names from the token); staff register a new debtor
    living in 4701 at their desk, which only a unit covering 4701 may do."""
    citizen = ctx.citizen_id_of(persona) is not None
    debtor: dict[str, Any] = {"phone": "0812345678", "address": ADDRESS_4701}
    if not citizen:
        debtor.update(citizen_id=_new_citizen_id(persona), given_name="สมศรี", family_name="ใจดี",
                      birth_date="1980-03-12")
    return {"channel": "self_online" if citizen else "desk", "debtor": debtor, "creditors": CREDITORS["creditors"],
            "help_wanted": ["mediation"], "privacy_acknowledged": True}


READERS = {"citizen_owner": "2xx", "registrar_4701": "2xx", "district_officer_4701": "2xx",
           "province_officer_47": "2xx", "dopa_admin": "2xx"}
CHANGERS = {"citizen_owner": "2xx", "registrar_4701": "2xx", "district_officer_4701": "2xx",
            "province_officer_47": "403", "dopa_admin": "403"}

API_ENTRIES = [
    Entry(
        "POST", "/api/v1/registrations",
        expect("403", anonymous="401", citizen_owner="409", citizen_other="2xx", registrar_4701="2xx",
               district_officer_4701="2xx"),
        call=lambda ctx, persona: Call(json=registration_body(ctx, persona)),
        note="citizen_owner is already registered (409 with the receipt); desks outside 4701, province "
             "officers, DOPA and auditors do not register",
    ),
    Entry(
        "GET", "/api/v1/registrations/{receipt_no}",
        expect("404", anonymous="401", **READERS),
        note="others get 404, not 403: they must not learn that the receipt exists",
    ),
    Entry(
        "POST", "/api/v1/registrations/{case_id}/creditors",
        expect("404", anonymous="401", **CHANGERS),
        call=Call(json=CREDITORS),
        note="province officers and DOPA may read the case but not change it (403)",
    ),
    Entry(
        "POST", "/api/v1/registrations/{case_id}/creditors/{creditor_no}/debts",
        expect("404", anonymous="401", **CHANGERS),
        call=Call(json={"debts": [DEBT]}),
        path_values={"creditor_no": "1"},
    ),
]


# Each feature keeps its entries in its own module; the pages' module also signs personas in.
_FEATURES = [matrix_registration_pages, matrix_registration_casework, matrix_registration_casework_pages,
             matrix_registration_letters, matrix_registration_lenders, matrix_registration_figures,
             matrix_registration_case_export, matrix_registration_contacts]
ENTRIES: list[Entry] = [*API_ENTRIES, *(e for m in _FEATURES for e in m.ENTRIES)]
sign_in = matrix_registration_pages.sign_in
