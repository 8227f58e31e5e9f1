"""Thai citizen ID (เลขประจำตัวประชาชน): 13 ASCII digits, first digit 1-8, mod-11 check digit.

Shared because three places must agree: the token claims (a ThaiD ``pid`` is checked like a typed one),
registration's form and identity's staff lists. Parsing typed input (Thai digits, dashes) stays with them.
"""

from __future__ import annotations

import re

_SHAPE = re.compile(r"[1-8][0-9]{12}")


def check_digit(first_twelve: str) -> int:
    """DOPA check digit over the first 12 digits."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first_twelve))
    return (11 - total % 11) % 10


def is_valid(citizen_id: str) -> bool:
    """13 ASCII digits, first 1-8, check digit right."""
    return _SHAPE.fullmatch(citizen_id) is not None and check_digit(citizen_id[:12]) == int(citizen_id[12])
