"""The A4 poster units print for their vinyl signs and notice boards: QR code to the registration link."""

from __future__ import annotations

import io

from registration.publicity.qr import qr_png
from registration.web.pdf import FONT, ThaiPdf

NAVY = (20, 48, 102)
HOTLINE = "1567"


def poster_pdf(url: str, *, unit_name: str | None = None) -> bytes:
    pdf = ThaiPdf("โปสเตอร์ประชาสัมพันธ์การลงทะเบียนแก้ไขปัญหาหนี้นอกระบบ")
    pdf.set_auto_page_break(auto=False)  # one sheet, laid out by hand
    pdf.add_page()
    pdf.set_fill_color(*NAVY)
    pdf.rect(0, 0, 210, 56, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_y(10)
    pdf.paragraph("กรมการปกครอง กระทรวงมหาดไทย", size=16, align="C")
    pdf.paragraph("ลงทะเบียนแก้ไขปัญหาหนี้นอกระบบ", size=31, style="B", align="C")
    pdf.paragraph("ฟรี ไม่มีค่าใช้จ่าย", size=20, align="C")
    pdf.set_text_color(0, 0, 0)

    pdf.set_y(64)
    pdf.paragraph(
        "เป็นหนี้นอกระบบ ถูกคิดดอกเบี้ยเกินกฎหมาย ถูกข่มขู่ทวงหนี้ หรือถูกยึดบัตรประจำตัวประชาชน "
        "บัตร ATM สมุดบัญชี โฉนดที่ดิน ลงทะเบียนเพื่อให้อำเภอช่วยไกล่เกลี่ยและประนอมหนี้กับเจ้าหนี้",
        size=17, align="C",
    )
    qr_size = 80
    y = pdf.get_y() + 4
    pdf.image(io.BytesIO(qr_png(url, scale=12)), x=(210 - qr_size) / 2, y=y, w=qr_size, h=qr_size,
              alt_text="QR code: " + url)
    pdf.set_y(y + qr_size + 2)
    pdf.paragraph("สแกน QR Code เพื่อลงทะเบียนด้วยตนเอง", size=22, style="B", align="C")
    pdf.set_font(FONT, "", 13)
    pdf.paragraph(url, size=13, align="C")

    pdf.ln(4)
    steps = (
        "1. สแกน QR Code ด้วยกล้องโทรศัพท์มือถือ",
        "2. ยืนยันตัวตนด้วยแอปพลิเคชัน ThaiD",
        "3. กรอกข้อมูลเจ้าหนี้และหนี้ แล้วรับเลขที่ใบรับลงทะเบียน",
    )
    pdf.set_x(35)
    for step in steps:
        pdf.paragraph(step, size=16, width=150)
        pdf.set_x(35)
    pdf.ln(3)
    pdf.paragraph(
        "หรือลงทะเบียนด้วยตนเองได้ที่ ที่ว่าการอำเภอ ศูนย์ดำรงธรรมจังหวัด/อำเภอ "
        "และสำนักงานเขตในกรุงเทพมหานคร ทุกแห่ง",
        size=16, align="C",
    )
    if unit_name:
        pdf.paragraph(unit_name, size=18, style="B", align="C")
    pdf.set_fill_color(*NAVY)
    pdf.set_text_color(255, 255, 255)
    pdf.rect(0, 297 - 32, 210, 32, style="F")
    pdf.set_y(297 - 28)
    pdf.paragraph(f"สอบถามเพิ่มเติม สายด่วนกรมการปกครอง {HOTLINE}", size=22, style="B", align="C")
    pdf.paragraph("ข้อมูลของท่านได้รับการคุ้มครองตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562", size=12,
                  align="C")
    return pdf.render()
