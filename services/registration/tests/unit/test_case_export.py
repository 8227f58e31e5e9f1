"""The case-list export's scope rules and its workbook, read back with openpyxl (no database: a fake cursor)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from bench.worklist_seed import documents
from registration.casework.case_export import read_pages, write_case_list
from registration.casework.case_export_rows import (
    EXPORT_PROJECTION,
    HEADERS,
    MONEY_COLUMN,
    CaseCells,
    ExportScope,
    export_scope,
)

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


class FakeCases:
    """The reads the export makes: an aggregate count, and keyset pages (``$match`` with an optional upper bound
    on the registered time, ``$sort``, ``$limit``, ``$project``) as aggregates."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs
        self.wheres: list[dict[str, Any]] = []
        self.pipelines: list[list[dict[str, Any]]] = []

    def _match(self, where: dict[str, Any]) -> list[dict[str, Any]]:
        self.wheres.append(where)
        found = []
        for doc in self.docs:
            ok = True
            for name, cond in where.items():
                if "$eq" in cond:
                    ok = ok and doc[name] == cond["$eq"]
                if "$lte" in cond:
                    ok = ok and doc[name] <= cond["$lte"]
            if ok:
                found.append(doc)
        return found

    def aggregate(self, pipeline: list[dict[str, Any]], batchSize: int | None = None) -> list[dict[str, Any]]:  # noqa: N803
        self.pipelines.append(pipeline)
        found = self._match(pipeline[0]["$match"])
        if "$group" in pipeline[1]:
            return [{"_id": None, "n": len(found)}]
        for name, direction in reversed(list(pipeline[1]["$sort"].items())):
            found.sort(key=lambda d, n=name: d[n], reverse=direction < 0)  # type: ignore[misc]
        return found[:pipeline[2]["$limit"]]


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
    assert cases.wheres == [{"district_code": {"$eq": "4701"}}]  # one page of 30 (no progress: no count)
    assert cases.pipelines[0][3]["$project"] == EXPORT_PROJECTION and "_id" not in EXPORT_PROJECTION


def test_pages_give_every_case_once_in_index_order_also_when_many_share_a_registered_time() -> None:
    docs = list(documents(50, 50, now=NOW))
    same = docs[10]["created_at"]
    for doc in docs[5:25]:  # 20 cases registered at one instant: more than a page
        doc["created_at"] = same
    cases = FakeCases(docs)
    order = sorted(docs, key=lambda d: (d["created_at"], d["receipt_no"]), reverse=True)

    pages = list(read_pages(cases, {"district_code": {"$eq": "4701"}}, nx_27017=False, page=7))  # type: ignore[arg-type]

    assert [d["receipt_no"] for page in pages for d in page] == [d["receipt_no"] for d in order]
    assert all(pages)


def nx_text(moment: datetime) -> str:
    """A time as nx-27017's SQL path hands it back: its stored JSON text, naive UTC."""
    iso = moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return '{"$date":"' + iso + '"}'


def test_cells_read_mongodb_and_nx_27017_shapes_alike() -> None:
    (doc,) = documents(1, 1, now=NOW)
    nested = CaseCells()(doc)
    flat = {k: v for k, v in doc.items() if k not in ("debtor", "totals")}
    flat.update({"debtor.title": doc["debtor"]["title"], "debtor.given_name": doc["debtor"]["given_name"],
                 "debtor.family_name": doc["debtor"]["family_name"],
                 "totals.outstanding_satang": doc["totals"]["outstanding_satang"],
                 "created_at": nx_text(doc["created_at"])})
    flat.update({name: int(bool(doc.get(name))) for name in ("excessive_interest", "threatened", "collateral_held")})
    assert CaseCells()(flat) == nested
    assert nested[1] == f"{doc['debtor']['title'] or ''}{doc['debtor']['given_name']} {doc['debtor']['family_name']}"


def test_a_failing_read_or_a_stopped_job_ends_the_reader_thread(tmp_path: Path) -> None:
    import threading

    from contracts.export_jobs import Interrupted

    class Broken(FakeCases):
        def aggregate(self, pipeline: list[dict[str, Any]], batchSize: int | None = None) -> list[dict[str, Any]]:  # noqa: N803
            raise OSError("the store went away")

    with pytest.raises(OSError, match="went away"):
        write_case_list(Broken([]), ExportScope("district", "4701"), tmp_path / "a.xlsx", nx_27017=False)  # type: ignore[arg-type]

    class Stop:
        def total(self, total: int) -> None:
            pass

        def step(self, done: int) -> None:
            if done == 3:
                raise Interrupted

    cases = FakeCases(list(documents(40, 40, now=NOW)))
    with pytest.raises(Interrupted):
        write_case_list(cases, ExportScope("district", "4701"), tmp_path / "b.xlsx", nx_27017=False,  # type: ignore[arg-type]
                        progress=Stop())  # type: ignore[arg-type]
    assert not [t for t in threading.enumerate() if t.name == "case-export-reader"]
