"""Thai A4 documents with fpdf2: Sarabun, HarfBuzz shaping, and line breaks only between words.

Thai has no spaces between words and marks above and below the line (tone marks, vowels).
Shaping (``set_text_shaping``, uharfbuzz) puts each mark on its base letter; the word segmenter
(pythainlp's dictionary-based ``newmm``) gives the only safe places to break a line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path

from fpdf import FPDF

FONT = "Sarabun"
# The TTFs shipped by PyPI's fontpkg-sarabun (OFL), also served to browsers from /static/fonts.
FONT_DIR = Path(str(files("fontpkg_sarabun") / "files"))
_STYLES = {"": "Sarabun-Regular.ttf", "B": "Sarabun-Bold.ttf", "I": "Sarabun-Italic.ttf"}


@cache
def _segmenter() -> object:
    # Imported on first use: loading the dictionary takes a second, and most requests print no PDF.
    from pythainlp.tokenize import Tokenizer

    return Tokenizer(engine="newmm", keep_whitespace=True)


def words(text: str) -> list[str]:
    """Word-sized pieces of ``text``; joined again they give back ``text`` exactly."""
    tokenizer = _segmenter()
    pieces: list[str] = tokenizer.word_tokenize(text)  # type: ignore[attr-defined]
    return pieces


_OPENERS = ("(", "[", "“", "‘")


def _kept_together(pieces: list[str], text: str, keep: Sequence[str]) -> list[str]:
    """``pieces`` (which join to ``text``) with every piece overlapping an occurrence of a ``keep`` phrase
    merged into one, so that no line break falls inside the phrase (nor right after an opening bracket)."""
    if not keep:
        return pieces
    glued = [False] * (len(text) + 1)  # glued[i]: no break allowed at offset i
    for phrase in keep:
        start = text.find(phrase) if phrase else -1
        while start >= 0:
            for i in range(start + 1, start + len(phrase)):
                glued[i] = True
            start = text.find(phrase, start + len(phrase))
    merged: list[str] = []
    at = 0
    for piece in pieces:
        # An opening bracket or quote belongs with the word after it, never at the end of a line.
        if merged and (glued[at] or merged[-1].endswith(_OPENERS)):
            merged[-1] += piece
        else:
            merged.append(piece)
        at += len(piece)
    return merged


def _clusters(word: str) -> Iterator[str]:
    """Splits a word too long for a line (a URL, say) without separating a mark from its letter."""
    cluster = ""
    for ch in word:
        if cluster and unicodedata.category(ch) not in ("Mn", "Mc"):
            yield cluster
            cluster = ""
        cluster += ch
    if cluster:
        yield cluster


class ThaiPdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        for style, file in _STYLES.items():
            self.add_font(FONT, style, str(FONT_DIR / file))
        self.set_text_shaping(use_shaping_engine=True, script="thai", language="tha")
        self.set_title(title)
        self.set_lang("th")
        self.set_creator("ระบบลงทะเบียนลูกหนี้นอกระบบ กรมการปกครอง")
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def wrap(self, text: str, width: float, *, first_width: float | None = None,
             keep: Sequence[str] = ()) -> list[str]:
        """Lines no wider than ``width`` (mm) in the current font, broken between words.

        ``first_width``: the first line of each paragraph is this wide instead (an indented first line).
        ``keep``: phrases never broken across lines (a person's name, a date), as long as one fits a line;
        with it, an opening bracket also stays with the word after it.
        """
        lines: list[str] = []
        pad = 2 * self.c_margin  # cell() pads the text on both sides
        keep = [k for k in keep if self.get_string_width(k) <= width - pad]  # a longer one breaks as words do
        for paragraph in text.split("\n"):
            line = ""
            first = len(lines)
            for word in _kept_together(words(paragraph), paragraph, keep):
                limit = (width if first_width is None or len(lines) > first else first_width) - pad
                if self.get_string_width(line + word) <= limit:
                    line += word
                    continue
                if line.strip():
                    lines.append(line.rstrip())
                    limit = width - pad
                line = word.lstrip()
                while self.get_string_width(line) > limit:  # one word wider than the line
                    head = ""
                    for cluster in _clusters(line):
                        if head and self.get_string_width(head + cluster) > limit:
                            break
                        head += cluster
                    lines.append(head)
                    line = line[len(head):]
                    limit = width - pad
            lines.append(line.rstrip())
        return lines

    def paragraph(
        self, text: str, *, size: float, style: str = "", align: str = "L", width: float | None = None,
        line_height: float = 1.45,
    ) -> None:
        """Wrapped text from the current position, advancing below it."""
        self.set_font(FONT, style, size)
        width = width or self.epw
        x = self.get_x()
        height = size * 0.3528 * line_height  # points to mm, with Thai's tall marks in mind
        for line in self.wrap(text, width):
            self.set_x(x)
            self.cell(width, height, line, align=align, new_x="LEFT", new_y="NEXT")
        self.set_x(x)

    def checkbox(self, label: str, *, size: float = 12, box: float = 4) -> None:
        """An empty square to tick by hand, then its label; advances to the right."""
        self.set_font(FONT, "", size)
        y = self.get_y() + (size * 0.3528 * 1.45 - box) / 2
        self.rect(self.get_x(), y, box, box)
        self.set_x(self.get_x() + box + 1.5)
        self.cell(self.get_string_width(label) + 5, size * 0.3528 * 1.45, label)

    def blank(self, label: str, width: float, *, size: float = 12) -> None:
        """A label followed by a dotted line to write on; advances to the right."""
        self.set_font(FONT, "", size)
        height = size * 0.3528 * 1.45
        label_width = self.get_string_width(label) + 1.5
        self.cell(label_width, height, label)
        x, y = self.get_x(), self.get_y() + height - 1.2
        with self.local_context(dash_pattern={"dash": 0.4, "gap": 0.8}):
            self.line(x, y, x + width - label_width - 2, y)
        self.set_x(x + width - label_width)

    def digit_boxes(self, label: str, groups: tuple[int, ...], *, size: float = 12, box: float = 6) -> None:
        """A label and one box per digit, grouped like the printed number (e.g. 1-2345-67890-12-3)."""
        self.set_font(FONT, "", size)
        self.cell(self.get_string_width(label) + 2, box, label)
        x, y = self.get_x(), self.get_y()
        for i, count in enumerate(groups):
            for _ in range(count):
                self.rect(x, y, box, box)
                x += box
            if i < len(groups) - 1:
                self.line(x + 0.8, y + box / 2, x + 2.2, y + box / 2)
                x += 3
        self.set_xy(x + 2, y)

    def heading(self, text: str, *, size: float = 14) -> None:
        self.ln(2)
        self.set_font(FONT, "B", size)
        self.set_fill_color(230, 236, 245)
        self.cell(self.epw, size * 0.3528 * 1.6, " " + text, fill=True, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def line_height(self, size: float = 12) -> float:
        return size * 0.3528 * 1.45

    def render(self) -> bytes:
        return bytes(self.output())
