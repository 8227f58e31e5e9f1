"""Thai A4 documents with fpdf2: Sarabun, HarfBuzz shaping, and line breaks only between words.

The minimum of registration's ``web/pdf.py`` that reports need (reporting does not import registration):
Thai has no spaces between words and marks above and below the line, so text is shaped by HarfBuzz
(``set_text_shaping``: each mark on its base letter) and broken only where pythainlp's dictionary word
segmenter (``newmm``) says a word ends. The font files come from PyPI's ``fontpkg-sarabun`` (OFL), the same
package registration and the reporting pages' ``/reports/static/fonts`` use.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path

from fpdf import FPDF

FONT = "Sarabun"
FONT_DIR = Path(str(files("fontpkg_sarabun") / "files"))
_STYLES = {"": "Sarabun-Regular.ttf", "B": "Sarabun-Bold.ttf"}
PT_TO_MM = 0.3528
_OPENERS = ("(", "[", "“", "‘")
_CLOSERS = (")", "]", "”", "’")


@cache
def _segmenter() -> object:
    # Imported on first use: loading the dictionary takes a second.
    from pythainlp.tokenize import Tokenizer

    return Tokenizer(engine="newmm", keep_whitespace=True)


@cache
def words(text: str) -> tuple[str, ...]:
    """Word-sized pieces of ``text``; joined again they give back ``text`` exactly. Cached: a report repeats
    the same labels on every page."""
    pieces: list[str] = _segmenter().word_tokenize(text)  # type: ignore[attr-defined]
    glued: list[str] = []
    for piece in pieces:
        # A closing bracket stays with the word before it, an opening one with the word after it.
        if glued and (piece[:1] in _CLOSERS or glued[-1].endswith(_OPENERS)):
            glued[-1] += piece
        else:
            glued.append(piece)
    return tuple(glued)


def _clusters(word: str) -> Iterator[str]:
    """Splits a word too long for a line without separating a mark from its letter."""
    cluster = ""
    for ch in word:
        if cluster and unicodedata.category(ch) not in ("Mn", "Mc"):
            yield cluster
            cluster = ""
        cluster += ch
    if cluster:
        yield cluster


class ThaiPdf(FPDF):
    def __init__(self, title: str, orientation: str = "portrait") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        for style, file in _STYLES.items():
            self.add_font(FONT, style, str(FONT_DIR / file))
        self.set_text_shaping(use_shaping_engine=True, script="thai", language="tha")
        self.set_title(title)
        self.set_lang("th")
        self.set_creator("ระบบลงทะเบียนลูกหนี้นอกระบบ กรมการปกครอง")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(20, 15, 15)  # official documents: a wider left margin for binding

    def wrap(self, text: str, width: float) -> list[str]:
        """Lines no wider than ``width`` (mm) in the current font, broken between words."""
        lines: list[str] = []
        limit = width - 2 * self.c_margin  # cell() pads the text on both sides
        for paragraph in text.split("\n"):
            line = ""
            for word in words(paragraph):
                if self.get_string_width(line + word) <= limit:
                    line += word
                    continue
                if line.strip():
                    lines.append(line.rstrip())
                line = word.lstrip()
                while self.get_string_width(line) > limit:  # one word wider than the line
                    head = ""
                    for cluster in _clusters(line):
                        if head and self.get_string_width(head + cluster) > limit:
                            break
                        head += cluster
                    lines.append(head)
                    line = line[len(head):]
            lines.append(line.rstrip())
        return lines

    def line_height(self, size: float, spacing: float = 1.35) -> float:
        return size * PT_TO_MM * spacing

    def paragraph(self, text: str, *, size: float, style: str = "", align: str = "L") -> None:
        self.set_font(FONT, style, size)
        for line in self.wrap(text, self.epw):
            self.cell(self.epw, self.line_height(size), line, align=align, new_x="LMARGIN", new_y="NEXT")

    def render(self) -> bytes:
        return bytes(self.output())
