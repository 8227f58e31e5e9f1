"""Thai citizen ID: 13 digits with a mod-11 check digit.

The rule itself is ``contracts.citizen_id`` (the token claims check it too); here only the reading of
typed input, which may have spaces, dashes and Thai digits (๐–๙).
"""

from __future__ import annotations

from contracts.citizen_id import check_digit, is_valid

__all__ = ["check_digit", "is_valid", "normalise"]

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def normalise(raw: str) -> str:
    return "".join(raw.translate(_THAI_DIGITS).split()).replace("-", "")
