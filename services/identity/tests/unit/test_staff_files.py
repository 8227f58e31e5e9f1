"""Uploaded staff lists that cannot be read are refused with a Thai (then English) message — never a
crash: broken or hostile XLSX, malformed or undecodable CSV."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from identity.domain.staff_files import FileProblem, read_staff_file

THAI = re.compile(r"[\u0E00-\u0E7F]")
HEADER = ["citizen_id", "title", "given_name", "family_name", "position", "unit_code", "role", "email", "phone"]
ROW = ["3470100000011", "นาย", "สมชาย", "รักไทย", "ปลัดอำเภอ", "4701", "registrar", "a@example.go.th", ""]


def workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(ROW)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezipped(change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The good workbook with each part passed through ``change`` (None drops the part)."""
    source = zipfile.ZipFile(io.BytesIO(workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                target.writestr(name, data)
    return out.getvalue()


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><worksheet xmlns="http://schemas.openxmlformats.org/'
          b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&c;</t></is></c></row>'
          b'</sheetData></worksheet>')


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/worksheets/sheet1.xml", b"\0" * (80 * 1024 * 1024))  # ~80 KB packed
    return out.getvalue()


BROKEN_XLSX: dict[str, Callable[[], bytes]] = {
    "truncated": lambda: workbook()[: len(workbook()) // 2],
    "zip magic then garbage": lambda: b"PK\x03\x04" + b"\x00garbage" * 50,
    # openpyxl reads a sheet lazily: this one only fails while the rows are iterated
    "broken sheet XML": lambda: rezipped(lambda n, d: b"<worksheet><sheetData><row><c" if "sheet1" in n else d),
    "broken workbook XML": lambda: rezipped(lambda n, d: b"<<<" if n == "xl/workbook.xml" else d),
    "no workbook part": lambda: rezipped(lambda n, d: None if n == "xl/workbook.xml" else d),
    "no content types": lambda: rezipped(lambda n, d: None if n == "[Content_Types].xml" else d),
    "broken relationships": lambda: rezipped(
        lambda n, d: b"<Relationships><Relationship" if n == "xl/_rels/workbook.xml.rels" else d),
    "a zip that is not a workbook": lambda: rezipped(lambda n, d: b"hello" if n.endswith(".xml") else d),
    "unpacks to 80 MB": zip_bomb,
    "XML entity expansion": lambda: rezipped(lambda n, d: LAUGHS if "sheet1" in n else d),
}


@pytest.mark.parametrize("case", sorted(BROKEN_XLSX))
def test_broken_xlsx_is_a_thai_file_problem(case: str) -> None:
    with pytest.raises(FileProblem) as refused:
        read_staff_file("staff.xlsx", BROKEN_XLSX[case]())
    assert THAI.search(refused.value.th) and refused.value.en
    assert "Traceback" not in refused.value.en


def test_workbooks_are_parsed_without_xml_entities() -> None:
    from openpyxl.xml import DEFUSEDXML  # type: ignore[import-untyped]

    assert DEFUSEDXML is True  # defusedxml is installed, so openpyxl refuses DTDs and entities


def test_the_good_workbook_still_reads() -> None:
    rows = read_staff_file("staff.xlsx", workbook())
    assert [r.values["citizen_id"] for r in rows] == ["3470100000011"]


@pytest.mark.parametrize("content", [
    pytest.param(("citizen_id,given_name\n\"" + "x" * 200_000 + "\n").encode(), id="field over the csv limit"),
    pytest.param(b"citizen_id,given_name\n" + "ก".encode("tis-620") + b"\xff\xfe\xdb\n",
                 id="neither UTF-8 nor TIS-620"),
])
def test_unreadable_csv_is_a_thai_file_problem(content: bytes) -> None:
    with pytest.raises(FileProblem) as refused:
        read_staff_file("staff.csv", content)
    assert THAI.search(refused.value.th) and refused.value.en
