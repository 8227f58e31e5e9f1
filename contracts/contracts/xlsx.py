"""Writing cells into an .xlsx without letting any text become a formula (shared by every service's exports).

Two layers, because two kinds of reader re-interpret text:
- the writer itself: XlsxWriter's ``write()`` turns a string starting with ``=`` into a formula, so every text
  goes through ``write_string`` (an inline/shared string cell; Excel never evaluates it);
- spreadsheet apps that re-parse cells (a CSV round trip, LibreOffice's "convert text to numbers", a user
  pressing F2 then Enter): a text starting with ``= + - @`` or a tab/CR/LF is prefixed with an apostrophe
  (OWASP's "CSV injection" advice), so it stays text there too.

Numbers are written as numbers (never as text), so sums and filters work. No XlsxWriter import here: the
functions take any worksheet with XlsxWriter's ``write_*`` methods, so contracts needs no new dependency.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Protocol

# What a spreadsheet app may take for the start of a formula or a DDE call (OWASP CSV injection), and the
# control characters that make a cell start on another "field" when re-parsed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_STARTS = frozenset(FORMULA_STARTS)
# XML 1.0 forbids these in a document: a cell holding one would make the whole workbook unreadable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_CELL_CHARS = 32767  # Excel's limit for one cell's text
# Beyond 2**53 a double (what a cell holds) loses integers: such a number is written as text instead.
MAX_EXACT_NUMBER = 2**53


class Worksheet(Protocol):
    def write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> int: ...

    def write_number(self, row: int, col: int, number: float, cell_format: Any = None) -> int: ...

    def write_boolean(self, row: int, col: int, boolean: bool, cell_format: Any = None) -> int: ...

    def write_blank(self, row: int, col: int, blank: Any, cell_format: Any = None) -> int: ...


def safe_text(value: str) -> str:
    """``value`` as a cell's text that no reader evaluates: illegal XML characters dropped, a formula-like
    start neutralised with a leading apostrophe, cut to Excel's limit."""
    text = _XML_ILLEGAL.sub("", value) if _XML_ILLEGAL.search(value) else value
    first = text[:1]
    if first in _STARTS or (first == " " and text.lstrip(" ")[:1] in _STARTS):
        text = "'" + text
    return text if len(text) <= MAX_CELL_CHARS else text[:MAX_CELL_CHARS]


def write_cell(sheet: Worksheet, row: int, col: int, value: object, cell_format: Any = None) -> None:
    """One cell: a number as a number, a bool as a bool, None as an empty cell, everything else as safe text
    (a date should come formatted already: official documents show Buddhist Era dates)."""
    if type(value) is str:  # the usual case first: exports are mostly text
        sheet.write_string(row, col, safe_text(value), cell_format)
    elif value is None:
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, int | float) and abs(value) <= MAX_EXACT_NUMBER:
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, date | datetime):
        sheet.write_string(row, col, value.isoformat(), cell_format)
    else:
        sheet.write_string(row, col, safe_text(str(value)), cell_format)


def write_row(sheet: Worksheet, row: int, values: Iterable[object], formats: Iterable[Any] | None = None) -> None:
    """A row of cells from column 0; ``formats`` (one per column, or None) aligned with ``values``."""
    fmts = list(formats) if formats is not None else []
    for col, value in enumerate(values):
        write_cell(sheet, row, col, value, fmts[col] if col < len(fmts) else None)
