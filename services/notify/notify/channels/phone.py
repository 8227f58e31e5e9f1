"""Phone numbers as E.164 (``+66812345678``) through Google's libphonenumber port."""

from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    pass


def to_e164(raw: str, region: str = "TH") -> str:
    """``081-234-5678`` → ``+66812345678``; refuses what is not a valid number (th/en message)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone("หมายเลขโทรศัพท์ไม่ถูกต้อง / not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("หมายเลขโทรศัพท์ไม่ถูกต้อง / not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def masked(e164: str) -> str:
    """What staff lookups show: ``+66812345678`` → ``+668xxxxx678``."""
    return e164[:4] + "x" * max(len(e164) - 7, 0) + e164[-3:]
