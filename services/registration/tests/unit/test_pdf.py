"""Thai PDFs (poster, blank paper form) and the QR code: valid files that say what they should."""

from __future__ import annotations

import io
import unicodedata

import segno
from PIL import Image
from pypdf import PdfReader

from registration.intake.paper_form import paper_form_pdf
from registration.publicity.poster import poster_pdf
from registration.publicity.qr import qr_png, qr_svg
from registration.web.pdf import FONT, ThaiPdf, words

URL = "https://debt.dopa.go.th/register"
A4_POINTS = (595, 842)


def squeeze(text: str) -> str:
    """Letters, marks and digits only. Extractors put spaces, control characters and stray brackets around
    shaped Thai clusters (HarfBuzz draws ำ as two glyphs, and the second one has no text of its own)."""
    normal = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in normal if unicodedata.category(ch)[0] in "LMN")


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, squeeze("".join(page.extract_text() for page in reader.pages))


def test_poster_is_one_a4_page_in_thai_with_the_link() -> None:
    data = poster_pdf(URL, unit_name="ที่ว่าการอำเภอเมืองสกลนคร จังหวัดสกลนคร")
    assert data.startswith(b"%PDF-")
    reader, text = pdf_text(data)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
    for phrase in ("ลงทะเบียนแก้ไขปัญหาหนี้นอกระบบ", "สแกน QR Code เพื่อลงทะเบียนด้วยตนเอง",
                   "ยืนยันตัวตนด้วยแอปพลิเคชัน ThaiD", "ที่ว่าการอำเภอเมืองสกลนคร", "สายด่วนกรมการปกครอง 1567",
                   URL):
        assert squeeze(phrase) in text, phrase
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts  # the Sarabun subset is embedded, not left to the printer
    assert b"Sarabun" in data


def test_paper_form_has_every_section_and_choice_in_thai() -> None:
    reader, text = pdf_text(paper_form_pdf())
    assert len(reader.pages) == 2
    for phrase in ("แบบลงทะเบียนลูกหนี้นอกระบบ", "เลขประจำตัวประชาชน", "ข้อมูลเจ้าหนี้รายที่ 1 และหนี้",
                   "ข้อมูลเจ้าหนี้รายที่ 2 และหนี้", "ความช่วยเหลือที่ต้องการ", "ประกาศความเป็นส่วนตัว",
                   "บัตรประจำตัวประชาชน", "โฉนดที่ดิน", "ไกล่เกลี่ยและประนอมข้อพิพาทกับเจ้าหนี้",
                   "รหัสหน่วยรับลงทะเบียน", "วันที่รับแบบ", "ผู้ลงทะเบียน"):
        assert squeeze(phrase) in text, phrase


def test_thai_lines_break_between_words_and_fit() -> None:
    pdf = ThaiPdf("t")
    pdf.add_page()
    pdf.set_font(FONT, "", 16)
    text = ("เป็นหนี้นอกระบบถูกคิดดอกเบี้ยเกินกฎหมายถูกข่มขู่ทวงหนี้หรือถูกยึดบัตรประจำตัวประชาชน"
            "ลงทะเบียนเพื่อให้อำเภอช่วยไกล่เกลี่ยและประนอมหนี้กับเจ้าหนี้")
    lines = pdf.wrap(text, 60)
    assert len(lines) > 2 and "".join(lines) == text
    boundaries, at = set(), 0
    for word in words(text):
        at += len(word)
        boundaries.add(at)
    at = 0
    for line in lines[:-1]:
        at += len(line)
        assert at in boundaries, f"broke inside a word after {line!r}"
        assert pdf.get_string_width(line) <= 60
    # A word longer than the line (a URL) is split, but never between a letter and its mark.
    long = pdf.wrap("https://ลงทะเบียน.example/" + "ก้" * 40, 30)
    assert all(not unicodedata.category(line[0]).startswith("M") for line in long)


def test_qr_code_encodes_the_registration_link() -> None:
    assert qr_svg(URL).startswith(b"<svg")
    image = Image.open(io.BytesIO(qr_png(URL, scale=4))).convert("L")
    expected = segno.make(URL, error="m", boost_error=False)
    border, scale = 4, 4
    size = expected.symbol_size(scale=1, border=0)[0]
    read = [[image.getpixel(((border + x) * scale + 1, (border + y) * scale + 1)) < 128 for x in range(size)]
            for y in range(size)]
    assert read == [[bool(v) for v in row] for row in expected.matrix]

