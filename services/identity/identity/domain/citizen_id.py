"""Thai citizen ID: 13 digits with a mod-11 check digit.

Kept in identity rather than shared: only identity and registration check IDs, each for its own
forms, and the rule is four lines. Input may have spaces, dashes and Thai digits (๐–๙).
"""

from __future__ import annotations

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def normalise(raw: str) -> str:
    return "".join(raw.translate(_THAI_DIGITS).split()).replace("-", "")


def check_digit(first_twelve: str) -> int:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first_twelve))
    return (11 - total % 11) % 10


def is_valid(citizen_id: str) -> bool:
    return (
        len(citizen_id) == 13
        and citizen_id.isascii()
        and citizen_id.isdigit()
        and citizen_id[0] in "12345678"  # the same first-digit rule as registration's form
        and check_digit(citizen_id[:12]) == int(citizen_id[12])
    )
