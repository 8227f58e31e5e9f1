"""Free text people type (names, addresses, notes): normalised once, and refused when it cannot be real.

Refused: control characters (NUL, escape ...), invisible format characters (zero-width space and joiners,
byte-order marks, bidirectional overrides), surrogates, private-use and unassigned code points. They are
invisible on screen and in printed letters, so a stored name would differ from the one shown, and search
and de-duplication would miss it. Names must also contain a letter and cannot begin with a combining
mark (a Thai vowel or tone mark has no consonant to sit on).

Normal form: Unicode NFC (never NFKC, which would rewrite Thai SARA AM) with runs of whitespace as one space.
"""

from __future__ import annotations

import unicodedata

from registration.kernel.thai import FieldError

# Cc control, Cf format (U+200B, U+200D, U+FEFF, U+202E ...), Cs surrogates, Co private use, Cn unassigned.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_MARKS = frozenset({"Mn", "Mc", "Me"})

_MESSAGES: dict[str, tuple[str, str]] = {
    "text.invisible": (
        "ข้อความมีอักขระควบคุมหรืออักขระที่มองไม่เห็น (เช่น ช่องว่างความกว้างศูนย์) กรุณาพิมพ์ใหม่",
        "The text contains control or invisible characters (such as a zero-width space). Please type it again.",
    ),
    "name.no_letter": (
        "ชื่อต้องมีตัวอักษร และต้องไม่ขึ้นต้นด้วยสระหรือวรรณยุกต์",
        "A name must contain letters and cannot begin with a vowel or tone mark.",
    ),
}


def _error(code: str) -> FieldError:
    th, en = _MESSAGES[code]
    return FieldError(code, th, en)


def normalise_text(raw: str) -> str:
    """NFC with whitespace runs (tabs, newlines, no-break spaces) as one space, trimmed; refuses
    invisible characters (``text.invisible``). Idempotent."""
    # Tab, newline and carriage return are ordinary whitespace in pasted text; every other control is refused.
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES and ch not in "\t\n\r" for ch in raw):
        raise _error("text.invisible")
    return unicodedata.normalize("NFC", " ".join(raw.split()))


def normalise_name(raw: str) -> str:
    """A person's or lender's name: :func:`normalise_text` plus at least one letter and no leading
    combining mark (``name.no_letter``). Empty input stays empty (the caller decides if it is required)."""
    text = normalise_text(raw)
    if text and (unicodedata.category(text[0]) in _MARKS
                 or not any(unicodedata.category(ch).startswith("L") for ch in text)):
        raise _error("name.no_letter")
    return text
