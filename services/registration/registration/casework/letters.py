"""The official letter (หนังสือภายนอก) inviting a registered debtor to mediation, laid out as the regulation on
official correspondence (ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ) lays out external letters.

On A4 with a 3 cm left and 2 cm right margin, Sarabun 16 pt: the Garuda 3 cm high at the top centre; the
letter number (ที่) on the left and the sending office's address on the right; the date from the page's
centre; เรื่อง, เรียน, อ้างถึง and สิ่งที่ส่งมาด้วย (when there is one); body paragraphs with a 2.5 cm first-line
indent; ขอแสดงความนับถือ, the signer's name in parentheses and position; the unit in charge and its phone at
the bottom left. Dates are Buddhist Era with Thai month names; every number is in Thai digits, as official
letters write them. Lines break only between words (``ThaiPdf.wrap``), never inside a name or a date.

``compose`` turns a case into the letter's text; ``LetterPdf`` draws letters one after another into one
document (a batch is one PDF, each letter starting on a new page).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from registration.cases.case import Case, MediationSession
from registration.casework.garuda import draw_garuda
from registration.casework.letter_settings import LetterSettings
from registration.kernel import admin_areas
from registration.kernel.receipts import THAI_TIME, thai_date
from registration.kernel.thai import TO_ASCII_DIGITS, format_be_date, to_thai_digits
from registration.web.pdf import FONT, ThaiPdf

PT = 0.3528  # mm per point
SIZE = 16.0  # Sarabun 16 pt, the size official letters use
LINE = SIZE * PT * 1.16  # one line of text (Thai marks above and below need room)
GAP = 1.5  # the small space official layout puts between the heading items and between paragraphs
LEFT, RIGHT = 30.0, 190.0  # 3 cm from the left edge, 2 cm from the right one (A4 is 210 mm wide)
PAGE_CENTRE = 105.0  # the date and the complimentary close start here
TOP = 15.0  # the emblem's top edge
EMBLEM = 30.0  # the emblem is 3 cm high
BOTTOM = 277.0  # 2 cm above the bottom edge of the 297 mm page
INDENT = 25.0  # a paragraph's first line starts 2.5 cm in
ADDRESS_FROM = 110.0  # the address block never starts left of this, clear of the letter number
CLOSE = "ขอแสดงความนับถือ"
SUBJECT = "ขอเชิญเข้าร่วมการไกล่เกลี่ยและประนอมข้อพิพาทหนี้นอกระบบ"
_WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
_SIGN_HERE = "(" + "." * 48 + ")"  # the signer writes their name here when the district set none


@dataclass(frozen=True)
class LetterText:
    """Everything a letter says, in order, ready to draw; ``keep`` lists phrases never split across lines."""

    letter_no: str
    office: str
    office_address: str
    dated: str
    subject: str
    addressee: str
    reference: str
    enclosure: str
    paragraphs: tuple[str, ...]
    signer: str
    positions: tuple[str, ...]
    owner: tuple[str, ...]
    keep: tuple[str, ...] = ()

    def parts(self) -> list[str]:
        """The printed text in reading order (tests and the benchmark's baseline use it)."""
        return [f"ที่ {self.letter_no}", self.office, self.office_address, self.dated, f"เรื่อง {self.subject}",
                f"เรียน {self.addressee}", f"อ้างถึง {self.reference}",
                *([f"สิ่งที่ส่งมาด้วย {self.enclosure}"] if self.enclosure else []), *self.paragraphs, CLOSE,
                self.signer, *self.positions, *self.owner]


def be_date(day: date) -> str:
    """``๑๕ มกราคม ๒๕๖๙``: day, full Thai month name, Buddhist Era year, Thai digits."""
    return format_be_date(day, thai_digits=True)


def _issuer(district_code: str) -> str:
    """The district as the subject of a sentence: ``อำเภอเมืองสกลนคร`` or, in Bangkok, ``สำนักงานเขตพระนคร``."""
    area = admin_areas.district(district_code)
    name = area.name_th if area else district_code
    if district_code.startswith("10"):
        return f"สำนักงาน{name}" if name.startswith("เขต") else f"สำนักงานเขต{name}"
    return f"อำเภอ{name}"


def _addressee(case: Case) -> str:
    debtor = case.debtor
    title = debtor.title or "คุณ"  # a courtesy title when none was registered
    return f"{title}{debtor.given_name} {debtor.family_name}"


def next_session(case: Case, dated: date) -> MediationSession | None:
    """The earliest scheduled mediation session on or after the letter's date, if any."""
    ahead = [s for s in case.sessions if s.state == "scheduled" and thai_date(s.scheduled_at) >= dated]
    return min(ahead, key=lambda s: s.scheduled_at, default=None)


def _when(moment: datetime) -> tuple[str, str]:
    """(``วันศุกร์ที่ ๒๕ เมษายน ๒๕๖๘``, ``๑๓.๓๐``) in Thai time."""
    local = moment.astimezone(THAI_TIME)
    day = f"วัน{_WEEKDAYS[local.weekday()]}ที่ {be_date(local.date())}"
    return day, to_thai_digits(f"{local:%H.%M}")


def _phrases(text: str) -> list[str]:
    """The space-separated parts of an address (``ตำบลธาตุเชิงชุม``): each stays on one line, as the word
    segmenter would otherwise split a place name into its dictionary words (ธาตุ|เชิง|ชุม); a postal code
    stays with the province before it."""
    parts = [part for part in text.split() if len(part) > 1]
    if len(parts) > 1 and parts[-1].translate(TO_ASCII_DIGITS).isdigit():
        parts[-2:] = [" ".join(parts[-2:])]
    return parts


def _area_names(district_code: str) -> list[str]:
    """The district's and province's names, never split across lines in the body text."""
    areas = (admin_areas.district(district_code), admin_areas.province(district_code[:2]))
    return [a.name_th.removeprefix("เขต") for a in areas if a is not None]


def compose(case: Case, settings: LetterSettings, letter_no: str, dated: date) -> LetterText:
    """The letter to the case's debtor, numbered ``letter_no`` and dated ``dated``."""
    issuer = _issuer(case.district_code)
    addressee = _addressee(case)
    registered = be_date(thai_date(case.created_at))
    receipt = to_thai_digits(case.receipt_no)
    phone = settings.phone_text
    contact = " ".join(p for p in (settings.owner_unit, settings.owner_section) if p)
    contact += f" โทร. {phone}" if phone else ""
    enclosure = to_thai_digits(settings.enclosure)
    keep = [addressee, registered, receipt, be_date(dated), *_area_names(case.district_code),
            *re.findall(r"จำนวน\s+\S+\s+\S+", enclosure),
            *_phrases(to_thai_digits(settings.office_address)), *([phone] if phone else [])]

    paragraphs = ["ตามที่ ท่านได้ลงทะเบียนขอรับความช่วยเหลือในการแก้ไขปัญหาหนี้นอกระบบ ความละเอียดตามที่อ้างถึง นั้น"]
    session = next_session(case, dated)
    if session is not None:
        day, time = _when(session.scheduled_at)
        place = to_thai_digits(session.place)
        keep.append(be_date(thai_date(session.scheduled_at)))
        paragraphs.append(
            f"{issuer}พิจารณาแล้ว จึงขอเชิญท่านเข้าร่วมการไกล่เกลี่ยและประนอมข้อพิพาทกับเจ้าหนี้ "
            f"ใน{day} เวลา {time} นาฬิกา ณ {place}")
        paragraphs.append(
            "ทั้งนี้ ขอให้ท่านนำบัตรประจำตัวประชาชนและหลักฐานเกี่ยวกับหนี้ (ถ้ามี) เช่น สัญญากู้ยืมเงิน "
            "หลักฐานการชำระเงิน มาด้วย หากท่านไม่สะดวกตามวันเวลาดังกล่าวหรือมีข้อสงสัย "
            f"โปรดติดต่อ{contact} ในวันและเวลาราชการ")
        closing = "จึงเรียนมาเพื่อโปรดทราบ และเข้าร่วมการไกล่เกลี่ยตามวัน เวลา และสถานที่ดังกล่าว"
    else:
        paragraphs.append(
            f"{issuer}พิจารณาแล้ว จึงขอเชิญท่านเข้าร่วมการไกล่เกลี่ยและประนอมข้อพิพาทกับเจ้าหนี้ ณ {settings.office} "
            "โดยขอให้ท่านแจ้งความประสงค์ว่าจะเข้าร่วมหรือไม่ ภายใน ๑๕ วัน นับแต่วันที่ได้รับหนังสือฉบับนี้ "
            f"เพื่อ{issuer}จะได้นัดหมายวัน เวลา และสถานที่ให้ท่านและเจ้าหนี้ทราบต่อไป")
        paragraphs.append(
            "ทั้งนี้ ขอให้ท่านนำบัตรประจำตัวประชาชนและหลักฐานเกี่ยวกับหนี้ (ถ้ามี) เช่น สัญญากู้ยืมเงิน "
            f"หลักฐานการชำระเงิน มาในวันไกล่เกลี่ยด้วย หากมีข้อสงสัย โปรดติดต่อ{contact} ในวันและเวลาราชการ")
        closing = "จึงเรียนมาเพื่อโปรดพิจารณาและแจ้งความประสงค์"
    if case.excessive_interest:
        keep.append("ร้อยละ ๑๕ ต่อปี")
        paragraphs.append(
            "อนึ่ง ข้อมูลที่ท่านแจ้งไว้แสดงว่าท่านอาจถูกเรียกดอกเบี้ยเกินร้อยละ ๑๕ ต่อปี ซึ่งเป็นอัตราสูงสุดที่กฎหมายกำหนด "
            "(ประมวลกฎหมายแพ่งและพาณิชย์ มาตรา ๖๕๔) การเรียกดอกเบี้ยเกินอัตราดังกล่าวเป็นความผิดตามพระราชบัญญัติ"
            "ห้ามเรียกดอกเบี้ยเกินอัตรา พ.ศ. ๒๕๖๐ หากท่านประสงค์จะขอคำปรึกษา หรือให้ประสานพนักงานสอบสวนเพื่อดำเนินคดี "
            "โปรดแจ้งเจ้าหน้าที่")
    paragraphs.append(closing)

    # Without a phone in the settings, a dotted line to write it on: the regulation wants one there.
    owner = (*(p for p in (settings.owner_unit, settings.owner_section) if p), f"โทร. {phone or '.' * 30}")
    return LetterText(
        letter_no=letter_no, office=settings.office, office_address=to_thai_digits(settings.office_address),
        dated=be_date(dated), subject=SUBJECT, addressee=addressee,
        reference=f"การลงทะเบียนแก้ไขปัญหาหนี้นอกระบบ เลขที่ใบรับ {receipt} ลงวันที่ {registered}",
        enclosure=enclosure,
        paragraphs=tuple(to_thai_digits(p) for p in paragraphs),
        signer=f"({settings.signer_name})" if settings.signer_name else _SIGN_HERE,
        positions=tuple(p for p in (settings.signer_position, settings.signer_position2) if p),
        owner=owner, keep=tuple(keep))


class LetterPdf(ThaiPdf):
    """Letters drawn one after another into one PDF; each starts on a new page. Drawing is page by page,
    and the wrapping of repeated paragraphs (the same for most letters of a batch) is remembered."""

    def __init__(self) -> None:
        super().__init__("หนังสือเชิญเข้าร่วมการไกล่เกลี่ยและประนอมข้อพิพาทหนี้นอกระบบ")
        self.set_auto_page_break(auto=False)  # this class breaks pages itself, keeping the signature together
        self.c_margin = 0  # text starts exactly at the margins
        self.set_margins(LEFT, TOP, 210 - RIGHT)
        self._wrapped: dict[tuple[str, float, float | None, tuple[str, ...]], list[str]] = {}
        self._letter_pages = 0
        self.letters = 0

    # ---- drawing primitives ----

    def _lines(self, text: str, width: float, first: float | None = None, keep: tuple[str, ...] = ()) -> list[str]:
        keep = tuple(k for k in keep if k in text)  # so that the same paragraph in another letter is a hit
        key = (text, width, first, keep)
        found = self._wrapped.get(key)
        if found is None:
            if len(self._wrapped) > 4096:  # a bound on memory across a very large batch
                self._wrapped.clear()
            found = self._wrapped[key] = self.wrap(text, width, first_width=first, keep=keep)
        return found

    def _room(self, height: float) -> None:
        """A new page, numbered the official way (``- ๒ -`` at the top centre), when ``height`` won't fit."""
        if self.get_y() + height <= BOTTOM + 0.01:  # a hair's tolerance for the sum of line heights
            return
        self.add_page()
        self._letter_pages += 1
        self.set_xy(LEFT, TOP)
        self.cell(RIGHT - LEFT, LINE, to_thai_digits(f"- {self._letter_pages} -"), align="C")
        self.set_xy(LEFT, TOP + 2 * LINE)

    def _text(self, x: float, text: str, *, align: str = "L", width: float | None = None) -> None:
        self._room(LINE)
        self.set_x(x)
        # Left-aligned text needs no measuring: its cell simply runs to the right margin.
        self.cell(width if width is not None else RIGHT - x, LINE, text, align=align, new_x="LEFT", new_y="NEXT")

    def _labelled(self, label: str, value: str, keep: tuple[str, ...]) -> None:
        """``เรื่อง …``: the label at the margin, the value after it, its further lines aligned under it."""
        x = LEFT + self.get_string_width(label + "  ")
        lines = self._lines(value, RIGHT - x, keep=keep)
        self._room(LINE * len(lines) if len(lines) <= 3 else LINE)
        self.set_x(LEFT)
        self.cell(x - LEFT, LINE, label)
        for line in lines:
            self._text(x, line)

    def _paragraph(self, text: str, keep: tuple[str, ...]) -> None:
        lines = self._lines(text, RIGHT - LEFT, first=RIGHT - LEFT - INDENT, keep=keep)
        for i, line in enumerate(lines):
            self._text(LEFT + INDENT if i == 0 else LEFT, line)

    # ---- the letter ----

    def add_letter(self, letter: LetterText) -> None:
        self.add_page()
        self.letters += 1
        self._letter_pages = 1
        self.set_font(FONT, "", SIZE)
        draw_garuda(self, (LEFT + RIGHT) / 2, TOP, EMBLEM)

        # ที่ … on the left, level with the first line of the sending office's address on the right.
        top = TOP + EMBLEM + 1
        address = [letter.office, *self._lines(letter.office_address, RIGHT - ADDRESS_FROM, keep=letter.keep)]
        address_x = max(ADDRESS_FROM, RIGHT - max(self.get_string_width(a) for a in address))
        self.set_xy(LEFT, top)
        self.cell(self.get_string_width(f"ที่ {letter.letter_no}"), LINE, f"ที่ {letter.letter_no}")
        self.set_xy(address_x, top)
        for line in address:
            self._text(address_x, line)
        self.ln(GAP)
        self._text(PAGE_CENTRE, letter.dated)
        self.ln(GAP)

        self._labelled("เรื่อง", letter.subject, letter.keep)
        self.ln(GAP)
        self._labelled("เรียน", letter.addressee, letter.keep)
        self.ln(GAP)
        self._labelled("อ้างถึง", letter.reference, letter.keep)
        if letter.enclosure:
            self.ln(GAP)
            self._labelled("สิ่งที่ส่งมาด้วย", letter.enclosure, letter.keep)
        self.ln(GAP)
        *body, closing = letter.paragraphs
        for paragraph in body:
            self._paragraph(paragraph, letter.keep)
            self.ln(GAP)

        # The closing sentence, the complimentary close, the signature space, name and position, and the unit
        # in charge stay on one page: a signature never stands alone on a page without the text it signs.
        closing_lines = len(self._lines(closing, RIGHT - LEFT, first=RIGHT - LEFT - INDENT, keep=letter.keep))
        signature = closing_lines + 1 + 3 + 1 + len(letter.positions)
        self._room(LINE * (signature + 1 + len(letter.owner)) + 2 * GAP)
        self._paragraph(closing, letter.keep)
        self.ln(2 * GAP)
        self._text(PAGE_CENTRE, CLOSE)
        self.ln(3 * LINE)  # room to sign
        centre = PAGE_CENTRE + self.get_string_width(CLOSE) / 2
        for line in (letter.signer, *letter.positions):
            width = self.get_string_width(line)
            self._text(centre - width / 2, line)

        # The unit in charge of the matter and its phone, at the bottom left of the last page.
        self.set_y(max(self.get_y() + LINE, BOTTOM - LINE * len(letter.owner)))
        for line in letter.owner:
            self._text(LEFT, line)


def letters_pdf(letters: Iterable[LetterText]) -> bytes:
    """One PDF holding every letter, each from a new page; ``letters`` may be a generator (drawn as it goes)."""
    pdf = LetterPdf()
    for letter in letters:
        pdf.add_letter(letter)
    return pdf.render()
