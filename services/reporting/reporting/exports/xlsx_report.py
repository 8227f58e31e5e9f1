"""A monthly report as an .xlsx: a summary sheet, a sheet of the units below (one row each, every figure as a
column) and, for a province, one sheet per district. Thai headers in a frozen first row, counts as numbers and
money as baht numbers (satang / 100, shown with two decimals); every text written with ``contracts.xlsx`` so
none becomes a formula."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

from contracts.xlsx import write_row
from reporting.exports.report import ReportFigures, UnitFigures, be_date, be_time, provenance_th, submitted_th
from reporting.totals.figures import BANGKOK, DAILY, FIGURES, Label

FONT = "TH Sarabun New"
MAX_SHEET_NAME = 31
LEVEL_TH = {"province": "จังหวัด", "district": "อำเภอ"}


def _value(label: Label, value: int) -> float | int:
    return value / 100 if label.satang else value


def _label(label: Label) -> str:
    return f"{label.th} (บาท)" if label.satang else label.th


def _sheet_name(text: str, taken: set[str]) -> str:
    # Sheet names: at most 31 characters, none of []:*?/\ and unique in the book.
    clean = "".join(ch for ch in text if ch not in "[]:*?/\\")[:MAX_SHEET_NAME] or "แผ่นงาน"
    name, n = clean, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = clean[:MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


class _Book:
    def __init__(self, path: Path) -> None:
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent),
                                                    "strings_to_formulas": False, "strings_to_numbers": False,
                                                    "strings_to_urls": False})
        add = self.book.add_format
        self.head = add({"bold": True, "bg_color": "#E6ECF5", "border": 1, "text_wrap": True, "valign": "top",
                         "font_name": FONT})
        self.title = add({"bold": True, "font_size": 14, "font_name": FONT})
        self.text = add({"font_name": FONT})
        self.count = add({"num_format": "#,##0", "font_name": FONT})
        self.money = add({"num_format": "#,##0.00", "font_name": FONT})
        self.taken: set[str] = set()

    def sheet(self, name: str) -> Any:
        return self.book.add_worksheet(_sheet_name(name, self.taken))

    def number_format(self, label: Label) -> Any:
        return self.money if label.satang else self.count


def _figures_sheet(book: _Book, name: str, unit: UnitFigures | ReportFigures, report: ReportFigures) -> None:
    """Figure by figure: the standing figures, then the month's activity. The header row is frozen."""
    sheet = book.sheet(name)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 42)
    sheet.set_column(2, 2, 34)
    sheet.set_column(3, 3, 18)
    sheet.freeze_panes(1, 0)
    write_row(sheet, 0, ["หมวด", "รายการ", "Item", "จำนวน"], [book.head] * 4)
    row = 1
    for section, names, values in (("สถานะสะสม", FIGURES, unit.figures), ("ผลงานในเดือน", DAILY, unit.activity)):
        for key, label in names.items():
            write_row(sheet, row, [section, _label(label), label.en, _value(label, values.get(key, 0))],
                      [book.text, book.text, book.text, book.number_format(label)])
            row += 1
    row += 1
    child = isinstance(unit, UnitFigures)  # a district's sheet in its province's book
    source = submitted_th(unit) if isinstance(unit, UnitFigures) else provenance_th(report)
    submitted = unit.submitted
    as_of = submitted.at.astimezone(BANGKOK).date() if child and submitted else report.as_of
    about = [("หน่วยงาน", f"อำเภอ{unit.name}" if child else report.name), ("ประจำเดือน", report.period_th),
             ("ข้อมูล ณ วันที่", be_date(as_of)),
             ("ที่มาของตัวเลข", source),
             ("สถานะรายงาน", "ส่งแล้ว" if submitted else
              "ตัวเลข ณ ปัจจุบัน (รายงานของจังหวัดยังไม่ได้ส่ง)" if child else "ยังไม่ได้ส่ง (ตัวเลข ณ ปัจจุบัน)")]
    if submitted is not None:
        about += [("ฉบับที่", "รวมทุกจังหวัด" if submitted.version is None else str(submitted.version)),
                  ("ส่งเมื่อ", be_time(submitted.at))]
    for offset, pair in enumerate(about):
        write_row(sheet, row + offset, list(pair), [book.text] * 2)
    # Printed pages say it too, on every page.
    sheet.set_header(f"&C&\"{FONT},Regular\"{source.replace('&', '&&')}")


def _children_sheet(book: _Book, report: ReportFigures, level: str) -> None:
    """One row per unit below: code, name, every standing figure, then every activity figure."""
    sheet = book.sheet(f"ราย{LEVEL_TH[level]}")
    columns = [(key, label, "figures") for key, label in FIGURES.items()] + [
        (key, label, "activity") for key, label in DAILY.items()]
    headers = [f"รหัส{LEVEL_TH[level]}", LEVEL_TH[level]] + [
        _label(label) + (" (ในเดือน)" if source == "activity" else "") for _, label, source in columns] + [
        "ที่มาของตัวเลข"]
    formats = [book.text, book.text] + [book.number_format(label) for _, label, _ in columns] + [book.text]
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 22)
    sheet.set_column(2, len(headers) - 1, 14)
    sheet.freeze_panes(1, 2)
    sheet.set_row(0, 48)
    write_row(sheet, 0, headers, [book.head] * len(headers))
    for row, child in enumerate(report.children, start=1):
        values = child.figures
        write_row(sheet, row, [child.code, child.name] + [
            _value(label, (values if source == "figures" else child.activity).get(key, 0))
            for key, label, source in columns] + [submitted_th(child)], formats)
    totals = len(report.children) + 1
    write_row(sheet, totals, ["", "รวม"] + [
        _value(label, (report.figures if source == "figures" else report.activity).get(key, 0))
        for key, label, source in columns] + [provenance_th(report)], formats)
    if report.children:
        sheet.autofilter(0, 0, len(report.children), len(headers) - 1)


def write_report_xlsx(report: ReportFigures, path: Path) -> None:
    book = _Book(path)
    book.book.set_properties({"title": f"รายงานผลการดำเนินงาน {report.name} ประจำเดือน {report.period_th}",
                              "subject": provenance_th(report), "author": "กรมการปกครอง",
                              "company": "กระทรวงมหาดไทย"})
    _figures_sheet(book, "สรุป", report, report)
    level = report.child_level
    if level is not None:
        _children_sheet(book, report, level)
    if report.level == "province":  # a sheet per district: each district's own report in the province's book
        for child in report.children:
            _figures_sheet(book, child.name, child, report)
    book.book.close()
