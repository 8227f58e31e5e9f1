"""Exports of a submitted month print the frozen submitted version (through the core port
``reporting.snapshots.SubmittedFigures``, answered by ``reporting.monthly.snapshot_port``), not the live totals;
a month not submitted prints the live totals, labelled as not submitted, each unit row saying whether that unit
has submitted. The monthly cycle runs on its in-memory fakes; the files are read back with openpyxl and pypdf."""

from __future__ import annotations

import io
import threading
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from pypdf import PdfReader

from contracts.claims import Claims, Role
from contracts.export_jobs import ExportJob
from reporting.exports.use_cases import report_runner
from reporting.monthly.periods import BANGKOK, Period
from reporting.monthly.snapshot_port import MonthlySnapshots
from reporting.snapshots import SubmittedFigures

from .monthly_fakes import RollUpTotals, SmallAreas, World

NOVEMBER = Period.parse("2026-11")
SUBMITTED_AT = datetime(2026, 12, 1, 10, 15, tzinfo=BANGKOK)
TODAY = date(2026, 12, 9)


def officer(role: Role, unit: str | None, sub: str) -> Claims:
    return Claims(sub=sub, roles=frozenset({role}), unit_code=unit)


class Totals(RollUpTotals):
    """The live view's reads, incl. the units below (as TotalsView answers them)."""

    def units(self, level: str, parent: str = "") -> list[str]:
        return sorted({c for (lv, c, d) in self.rollup.sums if lv == level and d is None and c.startswith(parent)})


@pytest.fixture
def world() -> World:
    w = World(totals=Totals())
    w.clock.now = SUBMITTED_AT
    w.totals.set("4701", {"registrants": 120, "outstanding_satang": 12_345_678})
    w.totals.set("4701", {"registrations": 4}, day="2026-11-03")
    w.totals.set("4702", {"registrants": 30})
    w.totals.set("4703", {"registrants": 3})
    w.totals.set("4801", {"registrants": 5})
    w.totals.set("4802", {"registrants": 6})
    return w


def later_events(world: World) -> None:
    """After the submissions: the live totals move on."""
    world.totals.set("4701", {"registrants": 999, "outstanding_satang": 1})
    world.totals.set("4701", {"registrations": 50}, day="2026-11-20")
    world.totals.set("4702", {"registrants": 777})


class Jobs:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def part_path(self, job: ExportJob, suffix: str) -> Path:
        return self.directory / f"{job.id}{suffix}.part"


class Progress:
    stop = threading.Event()

    def total(self, _: int) -> None:
        pass


def export(tmp_path: Path, port: SubmittedFigures | None, world: World, level: str, code: str, fmt: str,
           period: str = "2026-11") -> Path:
    job = ExportJob(f"{level}{code}{fmt}".ljust(32, "0"), "monthly", "owner", level, code,
                    {"period": period, "format": fmt}, "running", 0, None, None, None, None, 0.0, None, None, 1)
    run = report_runner(Jobs(tmp_path), lambda: world.totals, lambda: TODAY, submitted=lambda: port)  # type: ignore[arg-type]
    name, _ = run(job, Progress())  # type: ignore[arg-type]
    return tmp_path / name


def squeeze(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch)[0] in "LMN")


def pdf_text(path: Path) -> str:
    return squeeze("".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages))


def summary(path: Path, sheet: str = "สรุป") -> dict[Any, Any]:
    book = openpyxl.load_workbook(path)
    rows = list(book[sheet].iter_rows(min_row=2, values_only=True))
    values: dict[Any, Any] = {(r[0], r[1]): r[3] for r in rows if r[0] in ("สถานะสะสม", "ผลงานในเดือน")}
    values.update({r[0]: r[1] for r in rows if r[0] and r[0] not in ("สถานะสะสม", "ผลงานในเดือน")})
    return values


def test_a_submitted_district_month_is_exported_as_submitted_not_as_it_stands(world: World, tmp_path: Path) -> None:
    world.cycle().submit(officer(Role.DISTRICT_OFFICER, "4701", "do-4701"), "4701", NOVEMBER)
    later_events(world)
    port = MonthlySnapshots(world.store, SmallAreas())

    values = summary(export(tmp_path, port, world, "district", "4701", "xlsx"))
    assert values["สถานะสะสม", "ผู้ลงทะเบียน"] == 120  # live: 999
    assert values["สถานะสะสม", "มูลหนี้คงค้าง (บาท)"] == pytest.approx(123_456.78)
    assert values["ผลงานในเดือน", "ลงทะเบียน"] == 4  # live: 54
    assert values["สถานะรายงาน"] == "ส่งแล้ว" and values["ฉบับที่"] == "1"
    assert values["ส่งเมื่อ"] == "1 ธันวาคม 2569 เวลา 10:15 น."
    assert values["ข้อมูล ณ วันที่"] == "1 ธันวาคม 2569"  # the day it was submitted, not today

    text = pdf_text(export(tmp_path, port, world, "district", "4701", "pdf"))
    assert squeeze("ตัวเลขที่ส่งแล้ว: ฉบับที่ 1 ส่งเมื่อ 1 ธันวาคม 2569 เวลา 10:15 น.") in text
    assert squeeze("1ผู้ลงทะเบียน120") in text and squeeze("999") not in text
    assert squeeze("1ลงทะเบียน4") in text


def test_a_month_not_submitted_is_exported_live_and_labelled_so(world: World, tmp_path: Path) -> None:
    world.cycle().submit(officer(Role.DISTRICT_OFFICER, "4701", "do-4701"), "4701", NOVEMBER)
    later_events(world)
    port = MonthlySnapshots(world.store, SmallAreas())

    values = summary(export(tmp_path, port, world, "district", "4702", "xlsx"))
    assert values["สถานะสะสม", "ผู้ลงทะเบียน"] == 777
    assert values["สถานะรายงาน"] == "ยังไม่ได้ส่ง (ตัวเลข ณ ปัจจุบัน)" and "ฉบับที่" not in values
    assert values["ที่มาของตัวเลข"].startswith("ยังไม่ได้ส่งรายงานเดือนนี้: ตัวเลข ณ ปัจจุบัน (9 ธันวาคม 2569)")
    assert openpyxl.load_workbook(export(tmp_path, port, world, "district", "4702", "xlsx")).properties.subject \
        .startswith("ยังไม่ได้ส่งรายงาน")
    text = pdf_text(export(tmp_path, port, world, "district", "4702", "pdf"))
    assert squeeze("ยังไม่ได้ส่งรายงานเดือนนี้: ตัวเลข ณ ปัจจุบัน") in text and squeeze("1ผู้ลงทะเบียน777") in text
    # The same district's October was not submitted either; 4701's October neither: live.
    assert summary(export(tmp_path, port, world, "district", "4701", "xlsx", "2026-10"))[
        "สถานะสะสม", "ผู้ลงทะเบียน"] == 999
    # Without the port wired every report is live.
    assert summary(export(tmp_path, None, world, "district", "4701", "xlsx"))["สถานะสะสม", "ผู้ลงทะเบียน"] == 999


def test_a_returned_report_has_no_standing_figures(world: World) -> None:
    cycle = world.cycle()
    cycle.submit(officer(Role.DISTRICT_OFFICER, "4701", "do-4701"), "4701", NOVEMBER)
    cycle.return_(officer(Role.PROVINCE_OFFICER, "47", "po-47"), "4701", NOVEMBER, "กรุณาตรวจสอบอีกครั้ง")
    port = MonthlySnapshots(world.store, SmallAreas())
    assert port.figures_for("district", "4701", "2026-11") is None
    later_events(world)
    cycle.submit(officer(Role.DISTRICT_OFFICER, "4701", "do-4701"), "4701", NOVEMBER)
    again = port.figures_for("district", "4701", "2026-11")
    assert again is not None and again.version == 2 and again.figures["registrants"] == 999
    assert port.figures_for("district", "4701", "2026-13") is None
    assert port.figures_for("district", "4701", "2026-10") is None


def submit_province(world: World, province: str) -> None:
    cycle = world.cycle()
    for unit in SmallAreas.DISTRICTS[province]:
        cycle.submit(officer(Role.DISTRICT_OFFICER, unit.code, f"do-{unit.code}"), unit.code, NOVEMBER)
    cycle.submit(officer(Role.PROVINCE_OFFICER, province, f"po-{province}"), province, NOVEMBER)


def test_a_submitted_province_prints_its_version_and_the_district_versions_it_included(
        world: World, tmp_path: Path) -> None:
    cycle = world.cycle()
    cycle.submit(officer(Role.DISTRICT_OFFICER, "4702", "do-4702"), "4702", NOVEMBER)
    cycle.return_(officer(Role.PROVINCE_OFFICER, "47", "po-47"), "4702", NOVEMBER, "กรุณาแก้ไขจำนวน")
    world.totals.set("4702", {"registrants": 31})  # corrected before the resubmission
    world.clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=BANGKOK)
    submit_province(world, "47")  # 4702 as version 2
    later_events(world)
    port = MonthlySnapshots(world.store, SmallAreas())
    snapshot = port.figures_for("province", "47", "2026-11")
    assert snapshot is not None and snapshot.version == 1
    assert [(c.code, c.version, c.figures["registrants"]) for c in snapshot.children] == [
        ("4701", 1, 120), ("4702", 2, 31), ("4703", 1, 3)]

    path = export(tmp_path, port, world, "province", "47", "xlsx")
    assert summary(path)["สถานะสะสม", "ผู้ลงทะเบียน"] == 154
    book = openpyxl.load_workbook(path)
    rows = list(book["รายอำเภอ"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[-1]) for r in rows[:3]] == [
        ("4701", 120, "ฉบับที่ 1 ส่งเมื่อ 2 ธันวาคม 2569 เวลา 09:00 น."),
        ("4702", 31, "ฉบับที่ 2 ส่งเมื่อ 2 ธันวาคม 2569 เวลา 09:00 น."),
        ("4703", 3, "ฉบับที่ 1 ส่งเมื่อ 2 ธันวาคม 2569 เวลา 09:00 น.")]
    assert rows[-1][1] == "รวม" and rows[-1][2] == 154
    assert summary(path, "กุสุมาลย์")["สถานะสะสม", "ผู้ลงทะเบียน"] == 31
    # A district of the submitted province: the version the province accepted.
    district = port.figures_for("district", "4702", "2026-11")
    assert district is not None and district.version == 2
    text = pdf_text(export(tmp_path, port, world, "province", "47", "pdf"))
    assert squeeze("ฉบับที่ 1 ส่งเมื่อ 2 ธันวาคม 2569 เวลา 09:00 น.") in text
    assert squeeze("เมืองสกลนคร120") in text and squeeze("กุสุมาลย์31") in text


def test_the_nation_is_submitted_once_every_province_is(world: World, tmp_path: Path) -> None:
    port = MonthlySnapshots(world.store, SmallAreas())
    submit_province(world, "47")
    assert port.figures_for("nation", "TH", "2026-11") is None  # 48 has not submitted
    later_events(world)
    text = pdf_text(export(tmp_path, port, world, "nation", "TH", "pdf"))
    assert squeeze("ยังส่งรายงานไม่ครบทุกจังหวัด: ตัวเลข ณ ปัจจุบัน") in text

    world.clock.now = datetime(2026, 12, 3, 8, 30, tzinfo=BANGKOK)
    submit_province(world, "48")  # 48's figures now, 47's as submitted before the later events
    nation = port.figures_for("nation", "TH", "2026-11")
    assert nation is not None and nation.version is None
    assert nation.figures["registrants"] == 120 + 30 + 3 + 5 + 6
    values = summary(export(tmp_path, port, world, "nation", "TH", "xlsx"))
    assert values["สถานะสะสม", "ผู้ลงทะเบียน"] == 164 and values["ฉบับที่"] == "รวมทุกจังหวัด"
    assert values["ส่งเมื่อ"] == "3 ธันวาคม 2569 เวลา 08:30 น."
    text = pdf_text(export(tmp_path, port, world, "nation", "TH", "pdf"))
    assert squeeze("รวมจากรายงานที่ทุกจังหวัดส่งแล้ว (ครบเมื่อ 3 ธันวาคม 2569 เวลา 08:30 น.)") in text
    assert squeeze("สกลนคร153") in text and squeeze("นครพนม11") in text  # each province as it submitted
    assert squeeze("1ผู้ลงทะเบียน164") in text


def units_sheet(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(min_row=2, values_only=True))


def test_a_live_report_keeps_its_rows_live_and_says_which_units_have_submitted(
        world: World, tmp_path: Path) -> None:
    cycle = world.cycle()
    cycle.submit(officer(Role.DISTRICT_OFFICER, "4702", "do-4702"), "4702", NOVEMBER)
    cycle.return_(officer(Role.PROVINCE_OFFICER, "47", "po-47"), "4702", NOVEMBER, "กรุณาแก้ไขจำนวน")
    world.clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=BANGKOK)
    cycle.submit(officer(Role.DISTRICT_OFFICER, "4702", "do-4702"), "4702", NOVEMBER)  # version 2
    cycle.submit(officer(Role.DISTRICT_OFFICER, "4701", "do-4701"), "4701", NOVEMBER)  # 4703 has not submitted
    later_events(world)
    port = MonthlySnapshots(world.store, SmallAreas())
    assert port.figures_for("province", "47", "2026-11") is None  # the province's own report is open: live

    path = export(tmp_path, port, world, "province", "47", "xlsx")
    rows = units_sheet(path, "รายอำเภอ")
    assert [(r[0], r[2], r[-1]) for r in rows[:3]] == [
        ("4701", 999, "ตัวเลขปัจจุบัน (ส่งแล้ว ฉบับที่ 1 เมื่อ 2 ธันวาคม 2569 เวลา 09:00 น.)"),
        ("4702", 777, "ตัวเลขปัจจุบัน (ส่งแล้ว ฉบับที่ 2 เมื่อ 2 ธันวาคม 2569 เวลา 09:00 น.)"),
        ("4703", 3, "ตัวเลขปัจจุบัน (ยังไม่ได้ส่ง)")]
    assert rows[-1][1] == "รวม" and rows[-1][2] == 999 + 777 + 3 == summary(path)["สถานะสะสม", "ผู้ลงทะเบียน"]
    assert rows[-1][-1].startswith("ยังไม่ได้ส่งรายงานเดือนนี้: ตัวเลข ณ ปัจจุบัน")
    district = summary(path, "กุสุมาลย์")  # 4702's own sheet in the province's book: live, and says it
    assert district["สถานะสะสม", "ผู้ลงทะเบียน"] == 777
    assert district["ที่มาของตัวเลข"] == "ตัวเลขปัจจุบัน (ส่งแล้ว ฉบับที่ 2 เมื่อ 2 ธันวาคม 2569 เวลา 09:00 น.)"
    text = pdf_text(export(tmp_path, port, world, "province", "47", "pdf"))
    assert squeeze("ตัวเลขรายอำเภอทุกแถวเป็นตัวเลขปัจจุบัน") in text
    assert squeeze("เมืองสกลนคร (ส่งแล้ว ฉบับที่ 1) 999") in text
    assert squeeze("กุสุมาลย์ (ส่งแล้ว ฉบับที่ 2) 777") in text and squeeze("กุดบาก 3") in text
    assert squeeze("รวม 1,779") in text

    # The nation while 48 has not submitted: 47's row is its live figures, noting the version 47 submitted.
    cycle.submit(officer(Role.DISTRICT_OFFICER, "4703", "do-4703"), "4703", NOVEMBER)
    cycle.submit(officer(Role.PROVINCE_OFFICER, "47", "po-47"), "47", NOVEMBER)
    nation = export(tmp_path, port, world, "nation", "TH", "xlsx")
    assert [(r[0], r[2], r[-1]) for r in units_sheet(nation, "รายจังหวัด")] == [
        ("47", 1779, "ตัวเลขปัจจุบัน (ส่งแล้ว ฉบับที่ 1 เมื่อ 2 ธันวาคม 2569 เวลา 09:00 น.)"),
        ("48", 11, "ตัวเลขปัจจุบัน (ยังไม่ได้ส่ง)"),
        ("", 1790, provenance_th_of(nation))]
    text = pdf_text(export(tmp_path, port, world, "nation", "TH", "pdf"))
    assert squeeze("สกลนคร (ส่งแล้ว ฉบับที่ 1) 1,779") in text and squeeze("นครพนม 11") in text
    # Without the port a live row cannot tell, so it does not say "not submitted".
    assert units_sheet(export(tmp_path, None, world, "nation", "TH", "xlsx"), "รายจังหวัด")[1][-1] == "ตัวเลขปัจจุบัน"


def provenance_th_of(path: Path) -> str:
    return str(openpyxl.load_workbook(path).properties.subject)
