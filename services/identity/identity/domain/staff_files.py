"""Reads an uploaded staff list (CSV or XLSX) into rows keyed by field name.

Headers may be Thai or English (``เลขประจำตัวประชาชน`` or ``citizen_id``, also ``ชื่อ / given_name``).
CSV is read as UTF-8 (with or without BOM) or, failing that, TIS-620 as older Thai Excel exports it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook  # type: ignore[import-untyped]

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
FIELDS: dict[str, tuple[str, ...]] = {
    "citizen_id": ("เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "citizen_id", "citizen id"),
    "title": ("คำนำหน้า", "คำนำหน้าชื่อ", "title"),
    "given_name": ("ชื่อ", "given_name", "given name", "first_name"),
    "family_name": ("นามสกุล", "family_name", "family name", "last_name"),
    "position": ("ตำแหน่ง", "position"),
    "unit_code": ("รหัสหน่วย", "รหัสหน่วยงาน", "unit_code", "unit code"),
    "role": ("บทบาท", "role"),
    "email": ("อีเมล", "อีเมล์", "email", "e-mail"),
    "phone": ("โทรศัพท์", "เบอร์โทรศัพท์", "phone"),
}
REQUIRED_COLUMNS = ("citizen_id", "given_name", "family_name", "unit_code", "role", "email")
_ALIASES = {alias.casefold(): name for name, aliases in FIELDS.items() for alias in aliases}


class FileProblem(ValueError):
    def __init__(self, th: str, en: str) -> None:
        super().__init__(en)
        self.th, self.en = th, en


@dataclass(frozen=True)
class RawRow:
    row: int  # the line/row number the person sees in their spreadsheet
    values: dict[str, str]


def _field_of(header: str) -> str | None:
    for part in re.split(r"[/()\n]", header):
        name = _ALIASES.get(part.strip().casefold())
        if name:
            return name
    return None


def _rows_from_table(table: list[list[str]]) -> list[RawRow]:
    if not table:
        raise FileProblem("ไฟล์ว่างเปล่า", "The file is empty")
    columns = [_field_of(h) for h in table[0]]
    missing = [f for f in REQUIRED_COLUMNS if f not in columns]
    if missing:
        names = ", ".join(f"{FIELDS[f][0]} ({f})" for f in missing)
        raise FileProblem(f"ไม่พบคอลัมน์: {names}", f"Missing columns: {', '.join(missing)}")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {col: cell.strip() for col, cell in zip(columns, cells, strict=False) if col and cell}
        if values:
            rows.append(RawRow(number, values))
    if not rows:
        raise FileProblem("ไม่มีรายชื่อเจ้าหน้าที่ในไฟล์", "The file lists no staff")
    if len(rows) > MAX_ROWS:
        raise FileProblem(f"ไฟล์หนึ่งมีได้ไม่เกิน {MAX_ROWS} แถว", f"At most {MAX_ROWS} rows per file")
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a citizen ID typed as a number
    return str(value)


def _xlsx_table(content: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileProblem("เปิดไฟล์ Excel ไม่ได้", f"Cannot read the XLSX file: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    finally:
        workbook.close()


def _csv_table(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "tis-620"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem("อ่านไฟล์ CSV ไม่ได้ กรุณาบันทึกเป็น UTF-8", "Cannot decode the CSV; save it as UTF-8")
    return [row for row in csv.reader(io.StringIO(text))]


def read_staff_file(filename: str, content: bytes) -> list[RawRow]:
    if len(content) > MAX_BYTES:
        raise FileProblem("ไฟล์ใหญ่เกิน 2 MB", "The file is larger than 2 MB")
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return _rows_from_table(_xlsx_table(content))
    if filename.lower().endswith((".csv", ".txt")):
        return _rows_from_table(_csv_table(content))
    raise FileProblem("รองรับเฉพาะไฟล์ .csv หรือ .xlsx", "Only .csv or .xlsx files are accepted")
