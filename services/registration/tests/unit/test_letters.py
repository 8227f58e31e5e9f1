"""The official invitation letter: every part of a หนังสือภายนอก in order, Buddhist Era dates and Thai digits,
Sarabun embedded, text inside the 3 cm / 2 cm margins (measured from the glyph positions in the PDF), lines
broken only between words, Thai marks kept; and printing through the use case (numbers, reprints, access).
PNGs of a one-page and a two-page letter are written to test-artifacts/ for people to look at."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import uharfbuzz as hb
from pypdf import PdfReader
from pythainlp.tokenize import word_tokenize

from registration.cases.case import Case, MediationSession, Status
from registration.cases.errors import Conflict, Forbidden, Invalid, NotFound
from registration.casework.letter_printing import LetterPrinting
from registration.casework.letter_settings import (
    LetterNumbers,
    LetterSettings,
    LetterSettingsStore,
    default_settings,
    letter_number,
    read_form,
)
from registration.casework.letters import LetterPdf, LetterText, compose, letters_pdf
from registration.casework.use_cases import Casework
from registration.kernel.receipts import thai_date
from registration.web.pdf import FONT_DIR

from .casework_fakes import NOW, FakeCases, actor, claims, make_case

MM = 72 / 25.4  # points per millimetre
ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"
TODAY = thai_date(NOW)  # 16 January 2568 BE
SETTINGS = replace(default_settings("4701"), signer_name="นายสมชาย รักษ์ไทย", phone="+6642711234",
                   office_address="ถนนศูนย์ราชการ ตำบลธาตุเชิงชุม อำเภอเมืองสกลนคร จังหวัดสกลนคร 47000",
                   enclosure="แบบแจ้งความประสงค์เข้าร่วมการไกล่เกลี่ย จำนวน 1 ฉบับ", saved=True)
LONG = ("ตามที่รัฐบาลได้กำหนดให้การแก้ไขปัญหาหนี้นอกระบบเป็นวาระแห่งชาติ โดยมอบหมายให้กระทรวงมหาดไทยเป็นหน่วยงานหลัก"
        "ในการรับลงทะเบียนลูกหนี้นอกระบบและไกล่เกลี่ยประนอมหนี้ระหว่างลูกหนี้กับเจ้าหนี้ให้ได้ข้อยุติที่เป็นธรรมแก่ทุกฝ่าย"
        "พร้อมทั้งประสานสถาบันการเงินของรัฐเพื่อช่วยเหลือลูกหนี้ที่ต้องการสินเชื่อดอกเบี้ยต่ำไปชำระหนี้นอกระบบ และประสาน"
        "พนักงานสอบสวนเพื่อดำเนินคดีกับเจ้าหนี้ที่เรียกดอกเบี้ยเกินอัตราที่กฎหมายกำหนดหรือทวงถามหนี้โดยข่มขู่ทำร้ายร่างกาย")


def session_case(**changes: Any) -> Case:
    session = MediationSession(1, NOW + timedelta(days=7, hours=-0.5), "ห้องประชุมศูนย์ดำรงธรรมอำเภอเมืองสกลนคร",
                               "นายไกล่ ประนอม")
    debtor = replace(make_case().debtor, title="นาง")
    return make_case("case-1", debtor=debtor, sessions=(session,), status=Status.IN_MEDIATION, **changes)


def flat(text: str) -> str:
    """Text as compared here: no whitespace, no control characters (extractors put them inside shaped
    clusters: HarfBuzz draws ำ as two glyphs), NFKC on both sides of a comparison."""
    text = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"))
    return unicodedata.normalize("NFKC", text)


def page_texts(data: bytes) -> list[str]:
    """Each page's text, without the ``- ๒ -`` numbers at the top of continuation pages."""
    reader = PdfReader(io.BytesIO(data))
    pages = []
    for i, page in enumerate(reader.pages):
        lines = page.extract_text().splitlines()
        if i > 0 and lines and re.fullmatch(r"-\s*[๐-๙]+\s*-", lines[0].strip()):
            lines = lines[1:]
        pages.append("\n".join(lines))
    return pages


@cache
def _sarabun() -> hb.Font:
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(FONT_DIR / "Sarabun-Regular.ttf"))))


def shaped_width(text: str, size: float) -> float:
    """The width in points of ``text`` shaped by HarfBuzz with Sarabun: measured apart from the PDF's maker."""
    font = _sarabun()
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    return sum(p.x_advance for p in buffer.glyph_positions) / font.face.upem * size


def runs(data: bytes) -> list[tuple[int, str, float, float, float]]:
    """Every text run of the PDF: (page, text, x start, x end, y) in points from the bottom left."""
    found: list[tuple[int, str, float, float, float]] = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages):
        def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float, number: int = number) -> None:
            clean = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf")).strip()
            if clean:
                x = tm[4] * cm[0] + cm[4]
                found.append((number, clean, x, x + shaped_width(clean, size), tm[5] * cm[3] + cm[5]))
        page.extract_text(visitor_text=visit)
    return found


def in_order(haystack: str, needles: list[str]) -> None:
    at = 0
    for needle in needles:
        found = haystack.find(flat(needle), at)
        assert found >= 0, f"{needle!r} missing, or out of order after offset {at}"
        at = found + len(flat(needle))


# ---- the letter ----

def test_a_letter_has_every_part_of_an_external_letter_in_order() -> None:
    case = session_case(excessive_interest=True)
    text = compose(case, SETTINGS, letter_number(SETTINGS.letter_prefix, 123), TODAY)
    data = letters_pdf([text])
    pages = page_texts(data)
    whole = flat("".join(pages))
    in_order(whole, [
        "ที่ มท ๐๓๑๘.๑/๑๒๓", "ที่ว่าการอำเภอเมืองสกลนคร", "ถนนศูนย์ราชการ ตำบลธาตุเชิงชุม", "จังหวัดสกลนคร ๔๗๐๐๐",
        "๑๖ มกราคม ๒๕๖๘",
        "เรื่อง ขอเชิญเข้าร่วมการไกล่เกลี่ยและประนอมข้อพิพาทหนี้นอกระบบ",
        "เรียน นางสมศรี ใจดี",
        f"อ้างถึง การลงทะเบียนแก้ไขปัญหาหนี้นอกระบบ เลขที่ใบรับ {text.reference.split('ใบรับ ')[1]}",
        "สิ่งที่ส่งมาด้วย แบบแจ้งความประสงค์เข้าร่วมการไกล่เกลี่ย จำนวน ๑ ฉบับ",
        "ตามที่ ท่านได้ลงทะเบียนขอรับความช่วยเหลือ",
        "ในวันพฤหัสบดีที่ ๒๓ มกราคม ๒๕๖๘ เวลา ๐๙.๓๐ นาฬิกา ณ ห้องประชุมศูนย์ดำรงธรรมอำเภอเมืองสกลนคร",
        "โปรดติดต่อที่ทำการปกครองอำเภอเมืองสกลนคร ฝ่ายปกครอง โทร. ๐๔๒-๗๑๑-๒๓๔",
        "เรียกดอกเบี้ยเกินร้อยละ ๑๕ ต่อปี", "พระราชบัญญัติห้ามเรียกดอกเบี้ยเกินอัตรา พ.ศ. ๒๕๖๐",
        "จึงเรียนมาเพื่อโปรดทราบ", "ขอแสดงความนับถือ", "(นายสมชาย รักษ์ไทย)", "นายอำเภอเมืองสกลนคร",
        "ที่ทำการปกครองอำเภอเมืองสกลนคร", "ฝ่ายปกครอง", "โทร. ๐๔๒-๗๑๑-๒๓๔",
    ])
    for paragraph in text.paragraphs:  # every paragraph whole, wherever its lines and pages broke
        assert flat(paragraph) in whole
    assert not re.search(r"[0-9]", "".join(pages)), "official letters write numbers in Thai digits"
    assert text.reference.endswith("ลงวันที่ ๖ มกราคม ๒๕๖๘")  # registered 6 January 2025: BE 2568


def test_a_letter_without_a_session_asks_for_an_answer_and_leaves_out_what_is_not_used() -> None:
    settings = replace(SETTINGS, enclosure="", signer_name="", phone="")
    text = compose(make_case(), settings, letter_number(settings.letter_prefix, 7), TODAY)
    whole = flat("".join(page_texts(letters_pdf([text]))))
    in_order(whole, ["ที่ มท ๐๓๑๘.๑/๗", "เรียน คุณสมศรี ใจดี", "ภายใน ๑๕ วัน นับแต่วันที่ได้รับหนังสือฉบับนี้",
                     "จึงเรียนมาเพื่อโปรดพิจารณาและแจ้งความประสงค์", "ขอแสดงความนับถือ", "นายอำเภอเมืองสกลนคร"])
    assert flat("สิ่งที่ส่งมาด้วย") not in whole
    assert flat("ร้อยละ ๑๕") not in whole  # no excessive interest registered, no legal-cap paragraph
    assert text.signer.startswith("(....") and text.owner[-1].startswith("โทร. ....")  # blanks to write on


def test_sarabun_16_pt_is_embedded() -> None:
    data = letters_pdf([compose(session_case(), SETTINGS, "มท ๐๓๑๘.๑/๑", TODAY)])
    reader = PdfReader(io.BytesIO(data))
    fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    assert fonts and all("Sarabun" in str(f["/BaseFont"]) for f in fonts)
    descriptors = [f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object() for f in fonts]
    assert all("/FontFile2" in d for d in descriptors)  # the TrueType program itself, not a name to look up
    sizes = {size for page in reader.pages for size in _sizes(page)}
    assert sizes == {16.0}


def _sizes(page: Any) -> set[float]:
    found: set[float] = set()
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: found.add(size) if text.strip() else None)
    return found


def test_text_stays_inside_the_3_cm_and_2_cm_margins() -> None:
    data = letters_pdf([compose(session_case(excessive_interest=True), SETTINGS, "มท ๐๓๑๘.๑/๑", TODAY),
                        compose(make_case(), SETTINGS, "มท ๐๓๑๘.๑/๒", TODAY)])
    found = runs(data)
    assert len(found) > 60
    for page, text, start, end, _y in found:
        assert start >= 30 * MM - 0.3, (page, text, start / MM)
        assert end <= 190 * MM + 0.3, (page, text, end / MM)
    lefts = sorted({round(start / MM, 1) for _p, _t, start, _e, _y in found})
    assert lefts[0] == 30.0  # the margin itself is used (ที่, เรื่อง, เรียน, lines after the first)
    assert 55.0 in lefts  # first lines of paragraphs: indented 2.5 cm
    widest = max(end for *_, end, _y in found) / MM
    assert widest > 180  # lines do fill towards the right margin


def test_a_long_thai_paragraph_breaks_only_between_words_inside_the_margins() -> None:
    text = LetterText("มท ๐๓๑๘.๑/๑", "ที่ว่าการอำเภอเมืองสกลนคร", "จังหวัดสกลนคร ๔๗๐๐๐", "๑๖ มกราคม ๒๕๖๘", "เรื่องทดสอบ",
                      "นางสมศรี ใจดี", "การลงทะเบียน", "", (LONG, "จึงเรียนมาเพื่อโปรดทราบ"), "(นายสมชาย รักษ์ไทย)",
                      ("นายอำเภอเมืองสกลนคร",), ("ที่ทำการปกครองอำเภอเมืองสกลนคร", "โทร. ๐๔๒-๗๑๑-๒๓๔"))
    found = runs(letters_pdf([text]))
    start = next(i for i, run in enumerate(found) if LONG.startswith(run[1]))
    lines, joined = [], ""
    for run in found[start:]:
        lines.append(run)
        joined += run[1]
        if flat(joined) == flat(LONG):
            break
    else:
        pytest.fail("the paragraph's lines were not found in order")
    assert len(lines) >= 5
    boundaries, at = set(), 0
    for word in word_tokenize(LONG, engine="newmm", keep_whitespace=True):  # pythainlp itself, not our wrapper
        at += len(word)
        boundaries.add(at)
    at = 0
    for i, (_page, line, start_x, end_x, _y) in enumerate(lines):
        at = LONG.index(line, at) + len(line)
        if i < len(lines) - 1:
            assert at in boundaries, f"line {i + 1} ends inside a word: …{line[-12:]!r} | {LONG[at:at + 12]!r}"
        assert round(start_x / MM, 1) == (55.0 if i == 0 else 30.0)
        assert end_x <= 190 * MM + 0.3
    marks = [ch for ch in LONG if unicodedata.category(ch) == "Mn"]
    extracted = unicodedata.normalize("NFC", "".join(line for _p, line, *_ in lines))
    assert [ch for ch in extracted if unicodedata.category(ch) == "Mn"] == marks  # tone marks and vowels kept


def test_names_places_and_dates_are_never_split_across_lines() -> None:
    pdf = LetterPdf()
    pdf.add_page()
    pdf.set_font("Sarabun", "", 16)
    text = "ข" * 40 + " ตำบลธาตุเชิงชุม ในวันพฤหัสบดีที่ ๒๓ มกราคม ๒๕๖๘ (ถ้ามี)"
    for width in range(60, 160, 3):
        lines = pdf.wrap(text, width, keep=["ตำบลธาตุเชิงชุม", "๒๓ มกราคม ๒๕๖๘"])
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line in lines:
            assert not line.endswith("("), line
            for phrase in ("ตำบลธาตุเชิงชุม", "๒๓ มกราคม ๒๕๖๘"):
                halves = [phrase[:k] for k in range(2, len(phrase) - 1)]
                assert not any(line.endswith(h) and not line.endswith(phrase) for h in halves), (width, line)


def test_a_batch_is_one_pdf_with_each_letter_from_a_new_page() -> None:
    letters = [compose(make_case(f"case-{i}"), SETTINGS, letter_number(SETTINGS.letter_prefix, i), TODAY)
               for i in range(1, 4)]
    reader = PdfReader(io.BytesIO(letters_pdf(iter(letters))))
    firsts = [flat(p.extract_text())[:40] for p in reader.pages]
    starts = [i for i, first in enumerate(firsts) if first.startswith(flat("ที่ มท"))]
    assert [flat(reader.pages[i].extract_text()).split(flat("ที่ว่าการ"))[0] for i in starts] == [
        flat(f"ที่ มท ๐๓๑๘.๑/{n}") for n in ("๑", "๒", "๓")]


def test_png_of_letters_for_people_to_look_at() -> None:
    """One-page letter (a session booked) and a two-page one (excessive interest, no session yet)."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (Debian poppler-utils) renders the letters to PNG: apt-get install poppler-utils"
    ARTIFACTS.mkdir(exist_ok=True)
    usual = replace(SETTINGS, enclosure="", office_address="ถนนศูนย์ราชการ จังหวัดสกลนคร 47000")
    for name, case, settings, pages in (
            ("letter-session", session_case(), usual, 1),
            ("letter-excessive-interest", make_case(excessive=True, excessive_interest=True), SETTINGS, 2)):
        data = letters_pdf([compose(case, settings, letter_number(settings.letter_prefix, 123), TODAY)])
        assert len(PdfReader(io.BytesIO(data)).pages) == pages  # the usual letter fits one page
        (ARTIFACTS / f"{name}.pdf").write_bytes(data)
        for old in ARTIFACTS.glob(f"{name}-*.png"):
            old.unlink()
        subprocess.run([pdftoppm, "-r", "110", "-png", str(ARTIFACTS / f"{name}.pdf"), str(ARTIFACTS / name)],
                       check=True, timeout=60)
        (ARTIFACTS / f"{name}.pdf").unlink()
        pngs = sorted(ARTIFACTS.glob(f"{name}-*.png"))
        assert len(pngs) == len(PdfReader(io.BytesIO(data)).pages)
        assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)


# ---- settings ----

def test_defaults_come_from_the_district_and_province_names() -> None:
    mueang = default_settings("4701")
    assert (mueang.office, mueang.signer_position, mueang.owner_unit) == (
        "ที่ว่าการอำเภอเมืองสกลนคร", "นายอำเภอเมืองสกลนคร", "ที่ทำการปกครองอำเภอเมืองสกลนคร")
    assert mueang.office_address == "อำเภอเมืองสกลนคร จังหวัดสกลนคร ๔๗๐๐๐"
    assert not mueang.saved and mueang.signer_name == "" and mueang.phone == ""
    khet = default_settings("1001")
    assert (khet.office, khet.signer_position) == ("สำนักงานเขตพระนคร", "ผู้อำนวยการเขตพระนคร")
    assert khet.office_address.startswith("เขตพระนคร กรุงเทพมหานคร ๑๐")


def test_settings_form_is_checked_and_normalised() -> None:
    form = {"letter_prefix": "มท 0318.1", "office": "ที่ว่าการอำเภอเมืองสกลนคร", "office_address": "ถนนศูนย์ราชการ  สกลนคร",
            "signer_name": "นายสมชาย รักษ์ไทย", "signer_position": "นายอำเภอเมืองสกลนคร",
            "owner_unit": "ที่ทำการปกครองอำเภอ", "phone": "๐๔๒-๗๑๑-๒๓๔"}
    saved = read_form("4701", form)
    assert isinstance(saved, LetterSettings)
    assert (saved.letter_prefix, saved.phone, saved.office_address, saved.saved) == (
        "มท ๐๓๑๘.๑", "+6642711234", "ถนนศูนย์ราชการ สกลนคร", True)
    errors = read_form("4701", {**form, "letter_prefix": "มท/0318", "office": " ", "phone": "12"})
    assert isinstance(errors, list)
    assert {e.field: e.code.split(".")[0] for e in errors} == {
        "letter_prefix": "letter_prefix", "office": "office", "phone": "phone"}
    assert all(e.th and e.en for e in errors)


# ---- printing through the use case ----

class MemorySettings(LetterSettingsStore):
    def __init__(self) -> None:  # no database
        self.saved: dict[str, LetterSettings] = {}

    def of(self, district_code: str) -> LetterSettings:
        return self.saved.get(district_code) or default_settings(district_code)

    def save(self, settings: LetterSettings, *, officer_sub: str, now: datetime) -> None:
        self.saved[settings.district_code] = settings


class MemoryNumbers(LetterNumbers):
    def __init__(self) -> None:  # no database
        self.last: dict[str, int] = {}

    def reserve(self, district_code: str, year_be: int, count: int) -> range:
        key = f"{district_code}:{year_be}"
        self.last[key] = self.last.get(key, 0) + count
        return range(self.last[key] - count + 1, self.last[key] + 1)


@pytest.fixture
def repo() -> FakeCases:
    return FakeCases(make_case("case-1"), make_case("case-2"), make_case("case-3"),
                     make_case("case-closed", status=Status.CLOSED), make_case("case-other", district="4702"))


@pytest.fixture
def printing(repo: FakeCases) -> LetterPrinting:
    return LetterPrinting(repo, Casework(repo, clock=lambda: NOW), MemorySettings(), MemoryNumbers(),
                          clock=lambda: NOW)


OFFICER = "district_officer:4701"


def test_a_batch_gets_consecutive_numbers_and_each_case_a_letter_sent_contact(printing: LetterPrinting,
                                                                               repo: FakeCases) -> None:
    printed = printing.print_letters(["case-1", "case-2", "case-3"], claims(OFFICER), actor(OFFICER))
    assert printed.letter_nos == {"case-1": "มท ๐๓๑๘.๑/๑", "case-2": "มท ๐๓๑๘.๑/๒", "case-3": "มท ๐๓๑๘.๑/๓"}
    assert len(PdfReader(io.BytesIO(printed.pdf)).pages) == 3
    contacted = [e for e in repo.case_events() if e["event_type"] == "CaseContacted"]
    assert [(e["case_id"], e["method"], e["result"], e["letter_no"], e["contacted_on"]) for e in contacted] == [
        (f"case-{i}", "official_letter", "letter_sent", f"มท ๐๓๑๘.๑/{n}", "2025-01-16")
        for i, n in ((1, "๑"), (2, "๒"), (3, "๓"))]
    reads = [a for a in repo.audits() if a["action"] == "case.read"]
    assert sorted(a["case_id"] for a in reads if a["outcome"] == "allowed") == ["case-1", "case-2", "case-3"]


def test_printing_again_the_same_day_reprints_the_same_numbers(printing: LetterPrinting, repo: FakeCases) -> None:
    first = printing.print_letters(["case-1"], claims(OFFICER), actor(OFFICER))
    events = len(repo.case_events())
    again = printing.print_letters(["case-2", "case-1"], claims(OFFICER), actor(OFFICER))
    assert again.letter_nos == {"case-2": "มท ๐๓๑๘.๑/๒", "case-1": first.letter_nos["case-1"]}
    assert len(repo.case_events()) == events + 1  # only case-2's letter is new
    assert len(repo.find("case-1").contacts) == 1  # type: ignore[union-attr]


def test_who_may_print_and_which_cases_take_a_letter(printing: LetterPrinting, repo: FakeCases) -> None:
    with pytest.raises(NotFound):  # another district's case: it must not learn that it exists
        printing.print_letters(["case-1"], claims("district_officer:4702"), actor("district_officer:4702"))
    with pytest.raises(Forbidden):  # the province oversees casework; the district sends its letters
        printing.print_letters(["case-1"], claims("province_officer:47"), actor("province_officer:47"))
    with pytest.raises(Conflict) as closed:
        printing.print_letters(["case-closed"], claims(OFFICER), actor(OFFICER))
    assert closed.value.code == "casework.transition_refused" and "ปิด" in closed.value.th
    denied = [a for a in repo.audits() if a["outcome"] == "denied"]
    assert [(a["action"], a["case_id"]) for a in denied] == [("case.read", "case-1"), ("case.read", "case-1")]
    chosen = printing.select(["case-1", "case-closed", "case-other", "nope"], claims(OFFICER), actor(OFFICER))
    assert [c.id for c in chosen.printable] == ["case-1"]
    assert {k: type(v).__name__ for k, v in chosen.refused.items()} == {
        "case-closed": "Conflict", "case-other": "NotFound", "nope": "NotFound"}
    assert chosen.receipts == {"case-closed": repo.find("case-closed").receipt_no}  # type: ignore[union-attr]
    assert repo.case_events() == []  # nothing printed, nothing recorded
    with pytest.raises(Invalid):
        printing.select([], claims(OFFICER), actor(OFFICER))
    with pytest.raises(Invalid):
        printing.select([f"case-{i}" for i in range(1001)], claims(OFFICER), actor(OFFICER))


def test_settings_belong_to_the_officers_district(printing: LetterPrinting) -> None:
    form = {"letter_prefix": "สน 0718", "office": "ที่ว่าการอำเภอเมืองสกลนคร", "office_address": "ถนนศูนย์ราชการ สกลนคร",
            "signer_position": "นายอำเภอเมืองสกลนคร", "owner_unit": "ที่ทำการปกครองอำเภอเมืองสกลนคร"}
    printing.save_settings(claims(OFFICER), form)
    assert printing.settings_for(claims(OFFICER)).letter_prefix == "สน ๐๗๑๘"
    assert printing.print_letters(["case-1"], claims(OFFICER), actor(OFFICER)).letter_nos == {"case-1": "สน ๐๗๑๘/๑"}
    with pytest.raises(Forbidden):
        printing.settings_for(claims("province_officer:47"))
    with pytest.raises(Invalid):
        printing.save_settings(claims(OFFICER), {**form, "office": ""})


def test_the_date_and_session_in_the_letter_are_thai_time(repo: FakeCases) -> None:
    # 23:30 UTC on 22 January is 06:30 on Thursday 23 January in Bangkok.
    session = MediationSession(1, datetime(2025, 1, 22, 23, 30, tzinfo=NOW.tzinfo), "ห้องประชุม", "ปลัดอำเภอ")
    text = compose(make_case(sessions=(session,)), SETTINGS, "มท ๐๓๑๘.๑/๑", date(2025, 1, 16))
    assert "ในวันพฤหัสบดีที่ ๒๓ มกราคม ๒๕๖๘ เวลา ๐๖.๓๐ นาฬิกา" in text.paragraphs[1]
    past = compose(make_case(sessions=(session,)), SETTINGS, "มท ๐๓๑๘.๑/๑", date(2025, 1, 24))
    assert "นาฬิกา" not in "".join(past.paragraphs)  # a session already past is not an invitation
