"""The xlsx writing helpers: texts never become formulas, numbers stay numbers (read back with openpyxl)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
import xlsxwriter  # type: ignore[import-untyped]

from contracts.xlsx import MAX_EXACT_NUMBER, safe_text, write_row

HOSTILE = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", " =HYPERLINK(\"x\")",
           "＝1+1", "ok\x00\x07text"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "\nx", "  =x", "＝x"])
def test_formula_like_text_is_prefixed(text: str) -> None:
    assert safe_text(text).startswith("'")


@pytest.mark.parametrize("text", ["สมศรี ใจดี", "47-2569-000123", "1+1", "a=b", ""])
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert safe_text(text) == text


def test_illegal_xml_characters_are_dropped_and_long_text_is_cut() -> None:
    assert safe_text("a\x00b\x1fc") == "abc"
    assert len(safe_text("ก" * 40000)) == 32767


def test_a_workbook_read_back_has_no_formula_and_numbers_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("ทดสอบ")
    write_row(sheet, 0, ["ชื่อ", "จำนวน", "ยอด", "ใช่", "ว่าง", "วันที่", "ใหญ่"])
    for i, text in enumerate(HOSTILE, start=1):
        write_row(sheet, i, [text, i, i * 1.5, i % 2 == 0, None, date(2026, 12, 1), MAX_EXACT_NUMBER + 1])
    book.close()

    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    assert [c.value for c in ws[1]] == ["ชื่อ", "จำนวน", "ยอด", "ใช่", "ว่าง", "วันที่", "ใหญ่"]
    for i in range(2, len(HOSTILE) + 2):
        name, count, amount, flag, blank, day, big = ws[i]
        assert name.data_type == "s" and not str(name.value).startswith(("=", "+", "-", "@", "\t", "\r", "＝"))
        assert count.value == i - 1 and count.data_type == "n"
        assert amount.value == (i - 1) * 1.5
        assert flag.value is ((i - 1) % 2 == 0)
        assert blank.value is None
        assert day.value == "2026-12-01"
        assert big.value == str(MAX_EXACT_NUMBER + 1) and big.data_type == "s"
    assert ws.cell(2, 1).value == "'=1+1"
    assert ws.cell(10, 1).value == "oktext"
