"""Authorization matrix entries for registration's official-letter pages (cookie sessions; format: README.md).

Letters are the district's: only a district officer prints them, and only for their own district's cases
(``contracts.access.may_work_case``); the seeded case lives in 4701. Someone who may read its casework (the
province's officers, DOPA) is told they may not print it (403); anyone else cannot tell it exists (404).
Registrars, province officers and DOPA send no letters and have no letter settings (403). Pages need a staff
session: a citizen's, an auditor's (refused at sign-in) or none is sent to sign in (GET) or refused (POST, 401).

Printing records the letter as sent on the case (a CaseContacted): the seeded case goes from ``new`` to
``contacting``; printing it again the same day reprints the same number, so the batch entry after the single
letter changes nothing more.
"""

from __future__ import annotations

from typing import Any

from tests.authz.model import Call, Context, Entry, expect

NOT_STAFF = {"citizen_owner": "3xx", "citizen_other": "3xx", "auditor": "3xx", "anonymous": "3xx"}
NOT_STAFF_POST = {"citizen_owner": "401", "citizen_other": "401", "auditor": "401", "anonymous": "401"}
REGISTRARS = {"registrar_4701": "403", "registrar_4702": "403", "registrar_4801": "403"}
SETTINGS = {"letter_prefix": "มท 0318.1", "office": "ที่ว่าการอำเภอ", "office_address": "ถนนศูนย์ราชการ",
            "signer_position": "นายอำเภอ", "owner_unit": "ที่ทำการปกครองอำเภอ", "owner_section": "ฝ่ายปกครอง",
            "phone": "042-711-234"}


def _form(data: dict[str, Any]) -> Any:
    """A form posted with the CSRF token of a page the persona can open in its own session."""
    def call(ctx: Context, persona: str) -> Call:
        page = "/register/status" if persona.startswith("citizen") else "/staff"
        return Call(data={k: v.format(**ctx.values) if isinstance(v, str) else v for k, v in data.items()},
                    csrf_from=page)

    return call


ENTRIES = [
    Entry("GET", "/casework/letters/settings",
          expect("403", **NOT_STAFF, district_officer_4701="2xx", district_officer_4702="2xx"),
          auth="session", note="each district officer sees their own district's letter settings"),
    Entry("POST", "/casework/letters/settings",
          expect("403", **NOT_STAFF_POST, district_officer_4701="3xx", district_officer_4702="3xx"),
          call=_form(SETTINGS), auth="session",
          note="saved for the officer's own district; registrars, the province and DOPA set up no letters"),
    Entry("GET", "/casework/cases/{case_id}/letter.pdf",
          expect("404", **NOT_STAFF, district_officer_4701="2xx", province_officer_47="403", dopa_admin="403"),
          auth="session",
          note="prints personal data (an audited read) and records the letter as sent; the province and DOPA "
               "oversee the case but do not send the district's letters (403); others cannot tell it exists"),
    Entry("POST", "/casework/letters",
          expect("404", **NOT_STAFF_POST, **REGISTRARS, district_officer_4701="2xx", province_officer_47="403",
                 province_officer_48="403", dopa_admin="403"),
          call=_form({"case_ids": "{case_id}"}), auth="session",
          note="the worklist's bulk print: 4701's officer gets the PDF (a reprint, same number); 4702's learns "
               "nothing of 4701's case (404); people who send no letters are told so (403)"),
]
