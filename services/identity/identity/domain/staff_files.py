"""Reads an uploaded staff list (CSV or XLSX) into rows keyed by field name.

Headers may be Thai or English (``เลขประจำตัวประชาชน`` or ``citizen_id``, also ``ชื่อ / given_name``).
CSV is read as UTF-8 (with or without BOM) or, failing that, TIS-620 as older Thai Excel exports it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from openpyxl import load_workbook  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
# A 2 MB XLSX may unpack to far more (a "zip bomb"): refuse before openpyxl parses anything.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
# Everything openpyxl, zipfile and the XML parsers raise for a broken or hostile workbook:
# ParseError (and lxml's XMLSyntaxError) are SyntaxErrors, defusedxml's refusals ValueErrors.
_BROKEN_XLSX = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, InvalidFileException, KeyError, ValueError,
                TypeError, IndexError, AttributeError, OSError, EOFError, SyntaxError)
_CANNOT_OPEN = ("เปิดไฟล์ Excel ไม่ได้ ไฟล์อาจเสียหายหรือไม่ใช่ไฟล์ .xlsx กรุณาบันทึกจาก Excel ใหม่แล้วอัปโหลดอีกครั้ง",
                "Cannot read the XLSX file: it is damaged or not an .xlsx workbook; save it again from Excel")
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


def _check_archive(content: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise FileProblem("ไฟล์ Excel มีข้อมูลภายในมากผิดปกติ กรุณาบันทึกเฉพาะรายชื่อเจ้าหน้าที่แล้วอัปโหลดใหม่",
                          "The XLSX file unpacks to far too much data; save only the staff list and upload again")


def _xlsx_table(content: bytes) -> list[list[str]]:
    # In read-only mode openpyxl parses the sheet while iterating, so the whole read is guarded.
    try:
        _check_archive(content)
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise FileProblem("ไฟล์ Excel ไม่มีแผ่นงาน", "The XLSX file has no worksheet")
            sheet = workbook.worksheets[0]
            return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
        finally:
            workbook.close()
    except FileProblem:
        raise
    except _BROKEN_XLSX:
        raise FileProblem(*_CANNOT_OPEN) from None


def _csv_table(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "tis-620"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem("อ่านไฟล์ CSV ไม่ได้ กรุณาบันทึกเป็น UTF-8", "Cannot decode the CSV; save it as UTF-8")
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error:
        # e.g. a field longer than csv's limit (an unclosed quote swallows the rest of the file)
        raise FileProblem("รูปแบบไฟล์ CSV ไม่ถูกต้อง (เช่น เครื่องหมายคำพูดไม่ครบคู่ หรือช่องข้อมูลยาวเกินไป)",
                          "The CSV is malformed (e.g. an unclosed quote or a field that is far too long)") from None


def read_staff_file(filename: str, content: bytes) -> list[RawRow]:
    if len(content) > MAX_BYTES:
        raise FileProblem("ไฟล์ใหญ่เกิน 2 MB", "The file is larger than 2 MB")
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return _rows_from_table(_xlsx_table(content))
    if filename.lower().endswith((".csv", ".txt")):
        return _rows_from_table(_csv_table(content))
    raise FileProblem("รองรับเฉพาะไฟล์ .csv หรือ .xlsx", "Only .csv or .xlsx files are accepted")
