"""One case as the figures export states it: what its latest case event carries, plus its accepted transfers.

Pure: a ``Case`` in, plain JSON out. The reporting service rebuilds its figures from these lines with the same
code that applies case events, so the fields are the events' own (``cases.events``): the unit, ``status`` and
``facts`` (``Case.facts()``), and the decided transfers it needs to count transfers in and out. Nothing here
names a person: no citizen ID, names, address, phone, creditors' names or free-text notes.
"""

from __future__ import annotations

from typing import Any

from registration.cases.case import Case

EXPORT_VERSION = 1


def case_line(case: Case) -> dict[str, Any]:
    """The export line of one case."""
    return {
        "kind": "case",
        "case_id": case.id,
        "revision": case.revision,
        "province_code": case.province_code,
        "district_code": case.district_code,
        "status": case.status.value,
        "facts": case.facts(),
        # Accepted transfers, oldest first: each counts "in" at the receiving district and "out" at the sending
        # one, wherever the case is now. Refused ones moved nothing and count nothing.
        "transfers": [
            {"from_province_code": t.from_province_code, "from_district_code": t.from_district_code,
             "to_province_code": t.to_province_code, "to_district_code": t.to_district_code}
            for t in case.transfers if t.state == "accepted"
        ],
    }


def head_line(as_of: str) -> dict[str, Any]:
    """The first line: what the export is and when it started reading (cases changed later may show newer
    revisions; each line is one case as it was when read)."""
    return {"kind": "export", "version": EXPORT_VERSION, "as_of": as_of}


def end_line(cases: int) -> dict[str, Any]:
    """The last line: how many cases were sent, so a reader can tell a complete export from a cut one."""
    return {"kind": "end", "cases": cases}
