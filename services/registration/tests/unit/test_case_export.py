"""The case-list export's scope rules and its workbook, read back with openpyxl (no database: a fake cursor)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]

from bench.worklist_seed import documents
from registration.casework.case_export import write_case_list
from registration.casework.case_export_rows import HEADERS, MONEY_COLUMN, ExportScope, export_scope

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


class FakeCursor:
    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs

    def sort(self, keys: list[tuple[str, int]]) -> FakeCursor:
        for name, direction in reversed(keys):
            self.docs.sort(key=lambda d, n=name: d[n], reverse=direction < 0)  # type: ignore[misc]
        return self

    def batch_size(self, _: int) -> FakeCursor:
        return self

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.docs)


class FakeCases:
    """The two reads the export makes: an aggregate count and one find in index order."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs
        self.wheres: list[dict[str, Any]] = []

    def _match(self, where: dict[str, Any]) -> list[dict[str, Any]]:
        self.wheres.append(where)
        return [d for d in self.docs if all(d[k] == cond["$eq"] for k, cond in where.items())]

    def find(self, where: dict[str, Any], projection: dict[str, int]) -> FakeCursor:
        return FakeCursor(self._match(where))

    def aggregate(self, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"_id": None, "n": len(self._match(pipeline[0]["$match"]))}]


def test_the_scope_is_ones_own_area_or_a_part_of_it() -> None:
    assert export_scope(("district", "4701"), None, None) == ExportScope("district", "4701")
    assert export_scope(("district", "4701"), None, "4702") is None
    assert export_scope(("district", "4701"), "47", None) is None
    assert export_scope(("province", "47"), None, None) == ExportScope("province", "47")
    assert export_scope(("province", "47"), None, "4702") == ExportScope("district", "4702")
    assert export_scope(("province", "47"), None, "4801") is None
    assert export_scope(("province", "47"), "48", None) is None
    assert export_scope(("nation", "TH"), None, None) is None  # DOPA names a province or a district
    assert export_scope(("nation", "TH"), "48", None) == ExportScope("province", "48")
    assert export_scope(("nation", "TH"), None, "4799") is None  # no such district


def test_the_workbook_has_thai_headers_numbers_a_frozen_row_and_no_formula(tmp_path: Path) -> None:
    docs = list(documents(40, 30, now=NOW, others=["4702"]))
    docs[0]["debtor"]["given_name"] = '=HYPERLINK("http://evil.example","click")'
    docs[0]["debtor"]["title"] = None  # the name starts with the given name
    cases = FakeCases(docs)
    part = tmp_path / "x.xlsx"

    rows = write_case_list(cases, ExportScope("district", "4701"), part, nx_27017=False)  # type: ignore[arg-type]

    assert rows == 30
    book = openpyxl.load_workbook(part)
    sheet = book["รายการเรื่อง"]
    assert sheet.freeze_panes == "A2"
    assert tuple(c.value for c in sheet[1]) == HEADERS
    assert sheet.max_row == 31
    receipts = {d["receipt_no"]: d for d in docs if d["district_code"] == "4701"}
    for line in sheet.iter_rows(min_row=2, values_only=True):
        doc = receipts[line[0]]
        assert line[MONEY_COLUMN] == doc["totals"]["outstanding_satang"] / 100
        assert isinstance(line[MONEY_COLUMN], int | float)
        assert line[4] == "เมืองสกลนคร" and line[3] == "สกลนคร"
        assert " 25" in str(line[7])  # a Buddhist Era date (2568 or 2569)
        assert str(line[2]).startswith("x-xxxx-xxxxx-")  # masked
    texts = [c.value for row in sheet.iter_rows(min_row=2) for c in row if c.data_type == "s"]
    assert not any(str(t).startswith(("=", "+", "-", "@")) for t in texts)
    assert any(str(t).startswith("'=HYPERLINK") for t in texts)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    assert cases.wheres == [{"district_code": {"$eq": "4701"}}]
