"""The blank paper form a desk hands out when the system is down; staff key it in later (channel=paper).

Its sections and choices follow the online form field for field, so keying it in is a straight copy.
"""

from __future__ import annotations

from registration.cases.vocabulary import (
    COLLATERAL_TH,
    CREDITOR_KIND_TH,
    HELP_WANTED_TH,
    HOW_MET_TH,
    INSTALMENT_FREQUENCY_TH,
    INTEREST_PERIOD_TH,
)
from registration.web.pdf import FONT, ThaiPdf

TITLES = ("นาย", "นาง", "นางสาว")
PRIVACY = (
    "กรมการปกครองเก็บรวบรวมและใช้ข้อมูลส่วนบุคคลในแบบนี้เพื่อดำเนินการแก้ไขปัญหาหนี้นอกระบบ "
    "ได้แก่ การติดต่อลูกหนี้ การไกล่เกลี่ยและประนอมข้อพิพาทกับเจ้าหนี้ และการส่งต่อหน่วยงานที่เกี่ยวข้อง "
    "ตามอำนาจหน้าที่ของรัฐ ตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 "
    "ข้อมูลจะเปิดเผยเฉพาะเจ้าหน้าที่ผู้มีหน้าที่เท่านั้น"
)


def _choices(pdf: ThaiPdf, label: str, options: list[str], *, size: float = 12) -> None:
    """A label then tick boxes, wrapping onto the next line rather than running off the page."""
    pdf.set_font(FONT, "", size)
    if label:
        pdf.cell(pdf.get_string_width(label) + 4, pdf.line_height(size), label)
    for option in options:
        needed = pdf.get_string_width(option) + 11
        if pdf.get_x() + needed > pdf.w - pdf.r_margin:
            pdf.ln(pdf.line_height(size) + 1)
            pdf.set_x(pdf.l_margin + 6)
        pdf.checkbox(option, size=size)
    pdf.ln(pdf.line_height(size) + 1.5)


def _row(pdf: ThaiPdf, *fields: tuple[str, float]) -> None:
    """Labelled blanks side by side; widths are fractions of the line."""
    for label, fraction in fields:
        pdf.blank(label, pdf.epw * fraction)
    pdf.ln(pdf.line_height() + 2.5)


def _creditor(pdf: ThaiPdf, n: int) -> None:
    pdf.heading(f"{n + 1}. ข้อมูลเจ้าหนี้รายที่ {n} และหนี้")
    _choices(pdf, "ประเภทเจ้าหนี้", list(CREDITOR_KIND_TH.values()))
    _row(pdf, ("ชื่อหรือชื่อเล่นของเจ้าหนี้", 0.6), ("โทรศัพท์", 0.4))
    _row(pdf, ("ที่อยู่หรือพื้นที่ที่ปล่อยกู้", 1.0))
    _choices(pdf, "รู้จักเจ้าหนี้ทาง", list(HOW_MET_TH.values()))
    _row(pdf, ("เงินต้น", 0.34), ("บาท  วันที่เริ่มกู้", 0.33), ("ชำระแล้ว", 0.33))
    pdf.blank("ดอกเบี้ยร้อยละ", pdf.epw * 0.3)
    _choices(pdf, "", list(INTEREST_PERIOD_TH.values()))
    pdf.blank("ค่างวด", pdf.epw * 0.3)
    _choices(pdf, "บาท", list(INSTALMENT_FREQUENCY_TH.values()))
    _row(pdf, ("ยอดหนี้คงเหลือ", 0.5), ("บาท", 0.5))
    _choices(pdf, "หลักประกันที่เจ้าหนี้ยึดไว้", list(COLLATERAL_TH.values()))
    _choices(pdf, "", ["ถูกข่มขู่ ทำร้าย หรือใช้ความรุนแรงในการทวงหนี้"])


def paper_form_pdf() -> bytes:
    pdf = ThaiPdf("แบบลงทะเบียนลูกหนี้นอกระบบ (แบบกระดาษ)")
    pdf.add_page()
    pdf.set_font(FONT, "", 11)
    pdf.cell(0, 6, "เลขที่แบบ ....................", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.paragraph("แบบลงทะเบียนลูกหนี้นอกระบบ", size=20, style="B", align="C")
    pdf.paragraph("กรอกด้วยลายมือตัวบรรจง เมื่อระบบออนไลน์ไม่พร้อมให้บริการ เจ้าหน้าที่จะบันทึกเข้าระบบภายหลัง",
                  size=12, align="C")
    pdf.ln(1)
    y = pdf.get_y()
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 6, "สำหรับเจ้าหน้าที่", new_x="LMARGIN", new_y="NEXT")
    _row(pdf, ("รหัสหน่วยรับลงทะเบียน", 0.4), ("วันที่รับแบบ", 0.3), ("ผู้รับ", 0.3))
    pdf.rect(pdf.l_margin - 2, y - 1, pdf.epw + 4, pdf.get_y() - y)

    pdf.heading("1. ข้อมูลลูกหนี้ (ผู้ลงทะเบียน)")
    pdf.digit_boxes("เลขประจำตัวประชาชน", (1, 4, 5, 2, 1))
    pdf.ln(9)
    _choices(pdf, "คำนำหน้าชื่อ", [*TITLES, "อื่น ๆ ......................"])
    _row(pdf, ("ชื่อ", 0.5), ("นามสกุล", 0.5))
    _row(pdf, ("วันเดือนปีเกิด (พ.ศ.)", 0.5), ("โทรศัพท์", 0.5))
    _row(pdf, ("ที่อยู่ที่ติดต่อได้ บ้านเลขที่", 0.45), ("หมู่ที่", 0.15), ("ซอย/ถนน", 0.4))
    _row(pdf, ("ตำบล/แขวง", 0.5), ("อำเภอ/เขต", 0.5))
    _row(pdf, ("จังหวัด", 0.6), ("รหัสไปรษณีย์", 0.4))
    _row(pdf, ("อาชีพ", 0.5), ("รายได้ต่อเดือน", 0.4), ("บาท", 0.1))
    _creditor(pdf, 1)
    pdf.add_page()
    _creditor(pdf, 2)
    pdf.paragraph("หากมีเจ้าหนี้มากกว่า 2 ราย ให้แนบแผ่นเพิ่มเติม", size=11)
    pdf.heading("4. ความช่วยเหลือที่ต้องการ (เลือกได้มากกว่า 1 ข้อ)")
    _choices(pdf, "", list(HELP_WANTED_TH.values()))
    _row(pdf, ("อื่น ๆ (ระบุ)", 1.0))
    pdf.heading("5. ประกาศความเป็นส่วนตัว")
    pdf.paragraph(PRIVACY, size=12)
    pdf.ln(1)
    _choices(pdf, "", ["ข้าพเจ้ารับทราบประกาศความเป็นส่วนตัว และขอรับรองว่าข้อมูลข้างต้นเป็นความจริง"])
    pdf.ln(6)
    pdf.set_x(pdf.l_margin + pdf.epw * 0.45)
    pdf.blank("ลงชื่อ", pdf.epw * 0.55)
    pdf.ln(pdf.line_height() + 2)
    pdf.set_x(pdf.l_margin + pdf.epw * 0.45)
    pdf.paragraph("(......................................................) ผู้ลงทะเบียน", size=12,
                  width=pdf.epw * 0.55, align="C")
    pdf.set_x(pdf.l_margin + pdf.epw * 0.45)
    pdf.blank("วันที่", pdf.epw * 0.55)
    return pdf.render()
