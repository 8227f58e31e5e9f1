"""Monthly report exports: the report read from the totals, the .xlsx read back with openpyxl, the PDF's text
read back with pypdf, and who may start and see an export."""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from pypdf import PdfReader

from contracts.claims import Claims, Role
from reporting.exports.pdf import ThaiPdf, words
from reporting.exports.pdf_report import report_pdf
from reporting.exports.report import KEY_FIGURES, ReportFigures, UnitFigures, baht, from_view
from reporting.exports.use_cases import Forbidden, Invalid, MonthlyExports, NotFound, covers
from reporting.exports.xlsx_report import write_report_xlsx
from reporting.totals.figures import DAILY, FIGURES

AS_OF = date(2026, 12, 1)


class Totals:
    """The three reads a report makes of ``TotalsView``, over fixed figures (the nation's code is "")."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str | None], dict[str, int]] = {}

    def put(self, district: str, figures: dict[str, int], day: str | None = None) -> None:
        for level, code in (("district", district), ("province", district[:2]), ("nation", "")):
            row = self.rows.setdefault((level, code, day), {})
            for name, value in figures.items():
                row[name] = row.get(name, 0) + value

    def figures(self, level: str, code: str, day: str | None = None) -> dict[str, int]:
        return dict(self.rows.get((level, code, day), {}))

    def days(self, level: str, code: str) -> list[str]:
        return sorted(d for (lv, c, d) in self.rows if lv == level and c == code and d)

    def units(self, level: str, parent: str = "") -> list[str]:
        return sorted({c for (lv, c, d) in self.rows if lv == level and d is None and c.startswith(parent)})


def totals() -> Totals:
    t = Totals()
    t.put("4701", {"registrants": 120, "outstanding_satang": 12_345_678, "mediation_succeeded": 7, "closed": 3})
    t.put("4702", {"registrants": 30, "outstanding_satang": 100, "debt_reduced_satang": 5_000_050})
    t.put("4801", {"registrants": 5})
    t.put("4701", {"registrations": 4, "closures": 1}, day="2026-11-03")
    t.put("4701", {"registrations": 6}, day="2026-11-30")
    t.put("4701", {"registrations": 100}, day="2026-10-31")  # another month
    t.put("4702", {"registrations": 2, "debt_reduced_satang": 250}, day="2026-11-15")
    return t


def test_the_report_sums_the_months_days_and_lists_the_units_below() -> None:
    report = from_view(totals(), "province", "47", "2026-11", AS_OF)
    assert report.name == "จังหวัดสกลนคร" and report.period_th == "พฤศจิกายน พ.ศ. 2569"
    assert report.figures["registrants"] == 150
    assert report.activity == {"registrations": 12, "closures": 1, "debt_reduced_satang": 250}
    assert [(c.code, c.name) for c in report.children] == [("4701", "เมืองสกลนคร"), ("4702", "กุสุมาลย์")]
    assert report.children[0].activity == {"registrations": 10, "closures": 1}
    nation = from_view(totals(), "nation", "TH", "2026-11", AS_OF)
    assert nation.name == "ประเทศไทย" and [c.code for c in nation.children] == ["47", "48"]
    assert from_view(totals(), "district", "4701", "2026-10", AS_OF).activity == {"registrations": 100}


def test_the_workbook_has_thai_headers_numbers_frozen_rows_a_sheet_per_district_and_no_formula(
        tmp_path: Path) -> None:
    report = from_view(totals(), "province", "47", "2026-11", AS_OF)
    hostile = UnitFigures("4799", '=HYPERLINK("http://x","y")', {"registrants": 1})
    report = ReportFigures(**{**report.__dict__, "children": (*report.children, hostile)})
    path = tmp_path / "r.xlsx"
    write_report_xlsx(report, path)

    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["สรุป", "รายอำเภอ"]
    assert "เมืองสกลนคร" in book.sheetnames and "กุสุมาลย์" in book.sheetnames
    summary = book["สรุป"]
    assert summary.freeze_panes == "A2"
    assert [c.value for c in summary[1]] == ["หมวด", "รายการ", "Item", "จำนวน"]
    values = {row[1]: row[3] for row in summary.iter_rows(min_row=2, values_only=True) if row[0]}
    assert values["ผู้ลงทะเบียน"] == 150
    assert values["มูลหนี้คงค้าง (บาท)"] == pytest.approx(123_457.78)
    assert values["ลงทะเบียน"] == 12  # the month's registrations
    table = book["รายอำเภอ"]
    assert table.freeze_panes == "C2"
    headers = [c.value for c in table[1]]
    assert headers[:3] == ["รหัสอำเภอ", "อำเภอ", "ผู้ลงทะเบียน"]
    rows = list(table.iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("4701", "เมืองสกลนคร", 120)
    assert isinstance(rows[0][2], int)
    assert rows[2][1] == "'=HYPERLINK(\"http://x\",\"y\")"  # neutralised: text, not a formula
    assert rows[-1][1] == "รวม" and rows[-1][2] == 150
    assert not any(c.data_type == "f" for sheet in book for row in sheet.iter_rows() for c in row)


def squeeze(text: str) -> str:
    """Letters, marks and digits only (extractors scatter spaces around shaped Thai clusters)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch)[0] in "LMN")


def test_the_pdf_shows_the_figures_in_thai_with_buddhist_era_dates() -> None:
    report = from_view(totals(), "nation", "TH", "2026-11", AS_OF)
    data = report_pdf(report)
    reader = PdfReader(io.BytesIO(data))
    text = squeeze("".join(page.extract_text() for page in reader.pages))
    assert b"Sarabun" in data
    for phrase in ("รายงานผลการดำเนินงานแก้ไขปัญหาหนี้นอกระบบ", "ประเทศไทย", "ประจำเดือนพฤศจิกายนพ.ศ.2569",
                   "ข้อมูลณวันที่1ธันวาคม2569", "สกลนคร", "นครพนม"):
        assert squeeze(phrase) in text, phrase
    for name, label in FIGURES.items():
        assert squeeze(label.th) in text, name
    for name in DAILY:
        assert squeeze(DAILY[name].th) in text, name
    # The figures next to their labels: registrants, the debt in baht with satang.
    assert squeeze("1ผู้ลงทะเบียน155") in text
    assert squeeze(f"มูลหนี้คงค้าง(บาท){baht(12_345_778)}") in text
    assert squeeze("สกลนคร150") in text and "KEY" not in text and len(KEY_FIGURES) == 6


def test_long_thai_text_wraps_only_between_words() -> None:
    pdf = ThaiPdf("t")
    pdf.add_page()
    pdf.set_font("Sarabun", "", 14)
    text = "ส่งต่อความช่วยเหลือทางกฎหมายและการฝึกอาชีพให้แก่ลูกหนี้นอกระบบที่ได้รับความเดือดร้อน (บาท)"
    lines = pdf.wrap(text, 60)
    assert len(lines) > 2 and "".join(lines).replace(" ", "") == text.replace(" ", "")
    boundaries, at = set(), 0
    for piece in words(text):
        at += len(piece)
        boundaries.add(at)
    at = 0
    for line in lines[:-1]:
        at = text.index(line, at) + len(line)
        assert at in boundaries, f"broke inside a word after {line!r}"
    assert not lines[-1].startswith(")")


class Jobs:
    def __init__(self) -> None:
        self.created: list[tuple[Any, ...]] = []

    def create(self, kind: str, owner: str, scope: tuple[str, str], params: dict[str, Any]) -> Any:
        self.created.append((kind, owner, scope, params))
        return self.created[-1]


def staff(role: Role, unit: str | None, sub: str = "s") -> Claims:
    return Claims(sub=sub, roles=frozenset({role}), unit_code=unit)


def test_who_may_export_which_unit() -> None:
    assert covers(("nation", "TH"), "district", "4701")
    assert covers(("province", "47"), "district", "4702") and not covers(("province", "47"), "district", "4801")
    assert covers(("district", "4701"), "district", "4701") and not covers(("district", "4701"), "province", "47")
    jobs = Jobs()
    exports = MonthlyExports(jobs)  # type: ignore[arg-type]
    exports.start(staff(Role.PROVINCE_OFFICER, "47"), "district", "4702", "2026-11", "xlsx")
    assert jobs.created == [("monthly", "s", ("district", "4702"), {"period": "2026-11", "format": "xlsx"})]
    with pytest.raises(Forbidden):
        exports.start(staff(Role.PROVINCE_OFFICER, "47"), "nation", "TH", "2026-11", "pdf")
    with pytest.raises(Forbidden):
        exports.start(staff(Role.AUDITOR, None), "nation", "TH", "2026-11", "pdf")
    with pytest.raises(Invalid):
        exports.start(staff(Role.DOPA_ADMIN, None), "district", "4799", "2026-11", "pdf")
    with pytest.raises(Invalid):
        exports.start(staff(Role.DOPA_ADMIN, None), "nation", "TH", "2026-13", "pdf")
    with pytest.raises(Invalid):
        exports.start(staff(Role.DOPA_ADMIN, None), "nation", "TH", "2026-11", "csv")
    assert len(jobs.created) == 1


def test_a_job_is_seen_by_its_owner_and_the_units_covering_it(tmp_path: Path) -> None:
    from contracts.export_jobs import ExportJob

    job = ExportJob("a" * 32, "monthly", "owner", "district", "4701", {"period": "2026-11", "format": "pdf"},
                    "done", 1, 1, None, None, None, 0.0, None, None, 1)

    class One:
        def get(self, job_id: str) -> ExportJob | None:
            return job if job_id == job.id else None

        def path(self, _: ExportJob) -> Path:
            return tmp_path / "gone.pdf"

    exports = MonthlyExports(One())  # type: ignore[arg-type]
    assert exports.visible(staff(Role.REGISTRAR, "4799", sub="owner"), job.id) is job
    assert exports.visible(staff(Role.PROVINCE_OFFICER, "47"), job.id) is job
    for outsider in (staff(Role.PROVINCE_OFFICER, "48"), staff(Role.DISTRICT_OFFICER, "4702"),
                     staff(Role.AUDITOR, None)):
        with pytest.raises(NotFound):
            exports.visible(outsider, job.id)
    with pytest.raises(NotFound):
        exports.file(staff(Role.PROVINCE_OFFICER, "47"), job.id)  # done, but its file is gone
