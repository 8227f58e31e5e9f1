"""Keys that recognise one lender across debtors: by phone number and by name.

Debtors describe the same loan shark differently ("เจ๊แดง", "แดง", "นางแดง  ใจดี" …), so a key is the
normalised identifier, prefixed by what it is: ``phone:+66812345678`` (E.164, the form any Thai spelling
of the number takes through :func:`registration.kernel.thai.parse_thai_phone`) and ``name:แดงใจดี`` (the
name without titles, spaces, punctuation or case, Thai digits as ASCII, Thai vowel and tone order
repaired). A case stores the keys of all its creditors, so one index finds every case naming a lender.

There is no ID-number key: the registration does not ask for the lender's citizen or company ID (debtors
rarely know it). Names are a weaker match than phones (two lenders may share a nickname), so pages say
which key matched and never merge a phone match and a name match into one lender.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Protocol

from pythainlp.util import normalize as thai_normalise

from registration.kernel.thai import TO_ASCII_DIGITS, FieldError, parse_thai_phone

PHONE, NAME = "phone", "name"

# Titles and forms of address that come before a lender's name, longest first so that "นางสาว" is taken
# whole rather than as "นาง" + "สาว". Compared after the name's own normalisation (no spaces, case folded).
TITLES = tuple(sorted({
    "นางสาว", "น.ส.", "นส.", "นส", "นาง", "นาย", "คุณนาย", "คุณ", "ดร.",
    "เจ๊", "เจ้", "อาเจ๊", "เฮีย", "อาเฮีย", "เสี่ย", "เถ้าแก่", "ซ้อ", "อาซ้อ", "ป้า", "ลุง", "น้า", "ยาย", "พี่",
    "mr.", "mr", "mrs.", "mrs", "ms.", "ms", "miss",
}, key=len, reverse=True))
# What debtors write when they do not know the name: a key from it would join unrelated lenders.
UNKNOWN_NAMES = frozenset({
    "ไม่ทราบ", "ไม่ทราบชื่อ", "ไม่รู้", "ไม่รู้จัก", "ไม่รู้ชื่อ", "ไม่ระบุ", "ไม่มี", "ไม่แน่ใจ", "เจ้าหนี้",
    "unknown", "none", "na", "nil",
})
MIN_NAME_LENGTH = 2  # one letter says nothing about who the lender is


class HasNameAndPhone(Protocol):
    @property
    def name(self) -> str | None: ...

    @property
    def phone(self) -> str | None: ...


def _without_titles(text: str) -> str:
    """Titles at the front, however many ("อาเจ๊" + "แดง", "คุณ" + "นาย" + …), while a name remains. Not
    when the rest would begin with a vowel or tone mark: then the "title" is the start of a name
    ("นายิกา" is not "นาย" + "ิกา")."""
    stripped = True
    while stripped:
        stripped = False
        for title in TITLES:
            rest = text.removeprefix(title)
            if rest != text and len(rest) >= MIN_NAME_LENGTH and unicodedata.category(rest[0])[0] != "M":
                text, stripped = rest, True
                break
    return text


def _kept(ch: str) -> bool:
    # Letters, their marks (Thai vowels and tone marks are Mn) and digits; not spaces or punctuation.
    return unicodedata.category(ch)[0] in "LMN"


def lender_name(raw: str | None) -> str | None:
    """The name as a key compares it, or None when it identifies no one (empty, "ไม่ทราบ", one letter)."""
    if not raw:
        return None
    text = thai_normalise(unicodedata.normalize("NFC", raw)).casefold().translate(TO_ASCII_DIGITS)
    text = "".join(text.split())
    if text in TITLES:
        return None  # a title alone ("นางสาว") names no one
    text = "".join(ch for ch in _without_titles(text) if _kept(ch))
    text = _without_titles(text)  # a title written with spaces or dots inside ("น. ส.") is gone only now
    if len(text) < MIN_NAME_LENGTH or text in UNKNOWN_NAMES or not any(ch.isalpha() for ch in text):
        return None
    return text


def lender_phone(raw: str | None) -> str | None:
    """The number in E.164, or None when it is missing or not a Thai number in use."""
    if not raw:
        return None
    try:
        return parse_thai_phone(raw)
    except FieldError:
        return None


def creditor_keys(creditor: HasNameAndPhone) -> tuple[str, ...]:
    """This creditor's keys: phone first (the stronger match), then name."""
    phone, name = lender_phone(creditor.phone), lender_name(creditor.name)
    return tuple(k for k in (f"{PHONE}:{phone}" if phone else None, f"{NAME}:{name}" if name else None) if k)


def lender_keys(creditors: Iterable[HasNameAndPhone]) -> list[str]:
    """Every key of a case's creditors, once each and sorted (the stored, indexed list)."""
    return sorted({key for creditor in creditors for key in creditor_keys(creditor)})


def key_kind(key: str) -> str:
    """``phone`` or ``name``."""
    return key.partition(":")[0]


def key_value(key: str) -> str:
    return key.partition(":")[2]
