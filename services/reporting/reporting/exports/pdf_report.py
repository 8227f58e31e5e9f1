"""A monthly report as an official-looking Thai PDF: A4, Sarabun, Buddhist Era dates, figures in tables whose
Thai labels wrap between words; the units below (provinces of the nation, districts of a province) one row each
with the key figures. Page numbers in the footer as ``หน้า 1/3``."""

from __future__ import annotations

from collections.abc import Sequence

from reporting.exports.pdf import FONT, ThaiPdf
from reporting.exports.report import KEY_FIGURES, ReportFigures, be_date, provenance_th, shown, standing_th
from reporting.totals.figures import DAILY, FIGURES, Label

TITLE = "รายงานผลการดำเนินงานแก้ไขปัญหาหนี้นอกระบบ"
LEVEL_TH = {"province": "จังหวัด", "district": "อำเภอ"}
BORDER = (120, 130, 150)
HEAD_FILL = (230, 236, 245)
SUBMITTED_FILL = (226, 241, 228)
LIVE_FILL = (253, 236, 200)


def _label(label: Label) -> str:
    return f"{label.th} (บาท)" if label.satang else label.th


class ReportPdf(ThaiPdf):
    def __init__(self, report: ReportFigures) -> None:
        super().__init__(f"{TITLE} {report.name} ประจำเดือน {report.period_th}")
        self.report = report
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, "", 10)
        self.set_text_color(90, 90, 90)
        done = self.report.submitted
        state = "ยังไม่ได้ส่ง (ตัวเลขปัจจุบัน)" if done is None else (
            "ส่งครบทุกจังหวัด" if done.version is None else f"ฉบับที่ {done.version}")
        self.cell(self.epw * 0.8, 5, f"{self.report.name} ประจำเดือน {self.report.period_th} · {state}")
        self.cell(self.epw * 0.2, 5, f"หน้า {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str) -> None:
        self.ln(3)
        self.paragraph(text, size=15, style="B")
        self.ln(1)

    def figure_table(self, headers: Sequence[str], widths: Sequence[float], rows: Sequence[Sequence[str]],
              aligns: Sequence[str], *, size: float = 13, bold_last: bool = False) -> None:
        """Rows of cells whose text wraps between words; the header row repeats on each new page."""
        lh = self.line_height(size, 1.25)
        self.set_draw_color(*BORDER)

        def draw(cells: Sequence[str], style: str, fill: bool, align: Sequence[str]) -> None:
            self.set_font(FONT, style, size)
            lines = [self.wrap(text, width) for text, width in zip(cells, widths, strict=True)]
            height = max(len(cell) for cell in lines) * lh + 1.5
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
                if style != "B" or not fill:
                    draw(headers, "B", True, ["C"] * len(headers))
                    self.set_font(FONT, style, size)
            x, y = self.l_margin, self.get_y()
            for cell_lines, width, how in zip(lines, widths, align, strict=True):
                self.set_fill_color(*HEAD_FILL)
                self.rect(x, y, width, height, style="DF" if fill else "D")
                self.set_xy(x, y + 0.75)
                for line in cell_lines:
                    self.cell(width, lh, line, align=how, new_x="LEFT", new_y="NEXT")
                x += width
            self.set_xy(self.l_margin, y + height)

        draw(headers, "B", True, ["C"] * len(headers))
        for i, row in enumerate(rows):
            last = bold_last and i == len(rows) - 1
            draw(row, "B" if last else "", False, aligns)


def report_pdf(report: ReportFigures) -> bytes:
    pdf = ReportPdf(report)
    pdf.add_page()
    pdf.paragraph(TITLE, size=18, style="B", align="C")
    pdf.paragraph(report.name, size=16, style="B", align="C")
    pdf.paragraph(f"ประจำเดือน {report.period_th}", size=16, align="C")
    pdf.paragraph(f"ข้อมูล ณ วันที่ {be_date(report.as_of)}", size=14, align="C")
    # Where the figures come from, boxed under the title: the submitted version, or live and not submitted.
    pdf.ln(2)
    pdf.set_font(FONT, "B", 14)
    lines = pdf.wrap(provenance_th(report), pdf.epw)
    pdf.set_fill_color(*(SUBMITTED_FILL if report.submitted else LIVE_FILL))
    pdf.set_draw_color(*BORDER)
    pdf.multi_cell(pdf.epw, pdf.line_height(14), "\n".join(lines), border=1, align="C", fill=True,
                   new_x="LMARGIN", new_y="NEXT")

    value_width = 45.0
    label_width = pdf.epw - value_width - 12
    pdf.heading("๑. สถานะสะสมของเรื่อง (ทุกเรื่องที่ลงทะเบียน ณ วันที่ข้างต้น)")
    pdf.figure_table(["ที่", "รายการ", "จำนวน"], [12, label_width, value_width],
              [[str(i), _label(label), shown(key, report.figures.get(key, 0))]
               for i, (key, label) in enumerate(FIGURES.items(), start=1)], ["C", "L", "R"])
    pdf.heading(f"๒. ผลการดำเนินงานในเดือน{report.period_th}")
    pdf.figure_table(["ที่", "รายการ", "จำนวน"], [12, label_width, value_width],
              [[str(i), _label(label), shown(key, report.activity.get(key, 0))]
               for i, (key, label) in enumerate(DAILY.items(), start=1)], ["C", "L", "R"])

    level = report.child_level
    if level is not None:
        unit = LEVEL_TH[level]
        pdf.heading(f"๓. ผลการดำเนินงานราย{unit}")
        name_width = 37.0
        width = (pdf.epw - name_width) / len(KEY_FIGURES)
        # A live report's rows are all live; a unit that has submitted is named with the version it submitted.
        rows = [[child.name if child.standing is None else f"{child.name} ({standing_th(child.standing)})",
                 *(shown(key, child.figures.get(key, 0)) for key in KEY_FIGURES)] for child in report.children]
        rows.append(["รวม", *(shown(key, report.figures.get(key, 0)) for key in KEY_FIGURES)])
        headers = [unit, *(_label(FIGURES[key]) for key in KEY_FIGURES)]
        if report.submitted is not None:
            pdf.paragraph(f"ตัวเลขราย{unit}ตามฉบับที่แต่ละ{unit}ส่งและรวมอยู่ในรายงานนี้", size=12)
        elif any(child.standing is not None for child in report.children):
            pdf.paragraph(f"ตัวเลขราย{unit}ทุกแถวเป็นตัวเลขปัจจุบัน {unit}ที่ส่งรายงานเดือนนี้แล้วมีฉบับที่ส่งในวงเล็บ "
                          "ตัวเลขที่ส่งไว้อาจต่างจากตัวเลขปัจจุบัน", size=12)
        pdf.figure_table(headers, [name_width] + [width] * len(KEY_FIGURES), rows, ["L"] + ["R"] * len(KEY_FIGURES),
                         size=12, bold_last=True)

    pdf.ln(10)
    pdf.set_font(FONT, "", 14)
    if pdf.get_y() + 30 > pdf.page_break_trigger:
        pdf.add_page()
    dots = "." * 44
    for line in (f"ลงชื่อ {dots} ผู้รายงาน", f"({dots})", f"ตำแหน่ง {dots}"):
        pdf.set_x(pdf.l_margin + pdf.epw / 2 - 10)
        pdf.cell(pdf.epw / 2 + 10, pdf.line_height(14), line, align="C", new_x="LMARGIN", new_y="NEXT")
    return pdf.render()
