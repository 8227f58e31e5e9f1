"""Monthly report exports on the real stack: totals rows on a real ``totals`` topic, real Keycloak tokens, the
job run by the service's worker; the PDF's text and the workbook compared with the figures; scope refusals;
a job a crashed process left half-done finished by the next start of the service."""

from __future__ import annotations

import io
import json
import time
import unicodedata
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import openpyxl  # type: ignore[import-untyped]
import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from pymongo import MongoClient
from pypdf import PdfReader

from infra.dev.testing import KafkaUnderTest, KeycloakStack, RunningService, reporting_site, wait_until
from reporting.exports.report import baht
from reporting.totals.districts import TotalsRow

Token = Callable[[str], str]
ROWS = [
    TotalsRow("4701", None, 3, {"registrants": 120, "outstanding_satang": 12_345_678, "closed": 3}),
    TotalsRow("4702", None, 2, {"registrants": 30, "mediation_succeeded": 2, "debt_reduced_satang": 5_000_050}),
    TotalsRow("4801", None, 1, {"registrants": 5}),
    TotalsRow("4701", "2026-11-03", 1, {"registrations": 4}),
    TotalsRow("4701", "2026-10-31", 1, {"registrations": 100}),
]


def squeeze(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch)[0] in "LMN")


@pytest.fixture
def topic(kafka: KafkaUnderTest) -> str:
    name = f"totals-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap})  # kept: the futures need a live handle
    admin.create_topics([NewTopic(name, 1, 1)])[name].result(120)
    producer = Producer({"bootstrap.servers": kafka.bootstrap})
    for row in ROWS:
        producer.produce(name, key=row.key.encode(), value=json.dumps(row.as_json()).encode())
    assert producer.flush(120) == 0
    return name


@pytest.fixture
def site(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack, topic: str, db_name: str,
         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], AbstractContextManager[RunningService]]:
    monkeypatch.setenv("REPORTING_EXPORT_DIR", str(tmp_path / "exports"))
    database = f"rep_exports_{db_name}"
    return lambda: reporting_site(kafka, mongodb_uri, keycloak_server, mongodb_database=database, totals_topic=topic)


def _wait_done(client: httpx.Client, job_id: str) -> dict[str, Any]:
    path = f"/api/v1/exports/monthly/{job_id}"
    assert wait_until(lambda: client.get(path).json()["state"] in ("done", "failed"), 60)
    status: dict[str, Any] = client.get(path).json()
    assert status["state"] == "done", status
    return status


def test_monthly_exports_over_http(site: Callable[[], AbstractContextManager[RunningService]], token_for: Token,
                                   mongodb_uri: str, db_name: str, tmp_path: Path) -> None:
    def client(service: RunningService, persona: str) -> httpx.Client:
        return httpx.Client(base_url=service.url, timeout=30,
                            headers={"Authorization": f"Bearer {token_for(persona)}"})

    stack = site()
    with stack as service:
        dopa, province = client(service, "dopa_admin"), client(service, "province_officer:47")
        other = client(service, "province_officer:48")
        assert wait_until(lambda: service.app.state.totals_view.ready, 60)

        started = dopa.post("/api/v1/exports/monthly", json={"level": "nation", "code": "TH", "period": "2026-11",
                                                              "format": "pdf"})
        assert started.status_code == 202, started.text
        nation_job = started.json()["id"]
        status = _wait_done(dopa, nation_job)
        pdf = dopa.get(status["download_url"])
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = squeeze("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
        for phrase in ("ประเทศไทย", "ประจำเดือนพฤศจิกายนพ.ศ.2569", "1ผู้ลงทะเบียน155",
                       f"มูลหนี้คงค้าง(บาท){baht(12_345_678)}", "สกลนคร150", "นครพนม5", "1ลงทะเบียน4"):
            assert squeeze(phrase) in text, phrase
        assert other.get(f"/api/v1/exports/monthly/{nation_job}").status_code == 404

        refused = other.post("/api/v1/exports/monthly", json={"level": "province", "code": "47",
                                                              "period": "2026-11", "format": "xlsx"})
        assert refused.status_code == 403 and refused.json()["detail"]["code"] == "export.outside_scope"
        bad = province.post("/api/v1/exports/monthly", json={"level": "province", "code": "47", "period": "11/2026"})
        assert bad.status_code == 422

        started = province.post("/api/v1/exports/monthly", json={"level": "province", "code": "47",
                                                                  "period": "2026-11", "format": "xlsx"})
        assert started.status_code == 202, started.text
        status = _wait_done(province, started.json()["id"])
        xlsx = province.get(status["download_url"])
        assert xlsx.status_code == 200
        path = tmp_path / "province.xlsx"
        path.write_bytes(xlsx.content)
        book = openpyxl.load_workbook(path)
        assert book.sheetnames[:2] == ["สรุป", "รายอำเภอ"] and "เมืองสกลนคร" in book.sheetnames
        assert book["สรุป"].freeze_panes == "A2"
        values = {(r[0], r[1]): r[3] for r in book["สรุป"].iter_rows(min_row=2, values_only=True) if r[0]}
        assert values["สถานะสะสม", "ผู้ลงทะเบียน"] == 150 and values["ผลงานในเดือน", "ลงทะเบียน"] == 4
        assert values["สถานะสะสม", "มูลหนี้ที่ลดลง (บาท)"] == pytest.approx(50_000.50)
        assert values["ผลงานในเดือน", "มูลหนี้ที่ลดลง (บาท)"] == 0
        assert [r[:3] for r in book["รายอำเภอ"].iter_rows(min_row=2, max_row=3, values_only=True)] == [
            ("4701", "เมืองสกลนคร", 120), ("4702", "กุสุมาลย์", 30)]

    # A crash mid-job: the record says running under a lease nobody renews, half a file lies beside it.
    client_db: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri)
    try:
        jobs = client_db[f"rep_exports_{db_name}"]["export_jobs"]
        jobs.update_one({"_id": nation_job}, {"$set": {"state": "running", "file_name": None, "lease_until":
                                                       time.time() - 1}})
        (tmp_path / "exports" / f"{nation_job}.pdf").unlink()
        (tmp_path / "exports" / f"{nation_job}.pdf.part").write_bytes(b"%PDF-1.4 half")
        with site() as service:
            dopa = client(service, "dopa_admin")
            status = _wait_done(dopa, nation_job)
            assert dopa.get(status["download_url"]).content.startswith(b"%PDF")
            assert not list((tmp_path / "exports").glob("*.part"))
    finally:
        client_db.close()


def test_the_exports_page_starts_shows_and_serves_a_report(
        site: Callable[[], AbstractContextManager[RunningService]], identity: RunningService) -> None:
    from infra.dev.browser import DevBrowser

    with site() as service:
        assert wait_until(lambda: service.app.state.totals_view.ready, 60)
        browser = DevBrowser(service.url)
        browser.sign_in_through(f"{service.url}/reports/auth/signin?next=/reports/exports", "province_officer:47")
        page = browser.get("/reports/exports")
        assert page.status_code == 200 and "จังหวัดสกลนคร" in page.text and "อำเภอกุสุมาลย์" in page.text
        assert "อำเภอเมืองนครพนม" not in page.text  # only one's own province and its districts
        started = browser.post_form("/reports/exports", {"unit": "district:4701", "period": "2026-11",
                                                         "format": "pdf"}, page=page.text)
        assert started.status_code == 303
        for _ in range(100):
            page = browser.get("/reports/exports")
            if "ดาวน์โหลด" in page.text:
                break
            time.sleep(0.3)
        assert "อำเภอเมืองสกลนคร · 2026-11 · PDF" in page.text and 'value="100"' in page.text
        link = page.text.split('href="/reports/exports/')[1].split('"')[0]
        got = browser.get(f"/reports/exports/{link}")
        assert got.status_code == 200 and got.content.startswith(b"%PDF")
        text = squeeze("".join(p.extract_text() for p in PdfReader(io.BytesIO(got.content)).pages))
        assert squeeze("อำเภอเมืองสกลนคร") in text and squeeze("1ผู้ลงทะเบียน120") in text
        refused = browser.post_form("/reports/exports", {"unit": "province:48", "period": "2026-11",
                                                         "format": "pdf"}, page=page.text)
        assert refused.status_code == 403


def test_a_submitted_month_is_exported_as_submitted_and_an_open_one_as_live(
        site: Callable[[], AbstractContextManager[RunningService]], token_for: Token, kafka: KafkaUnderTest,
        topic: str, tmp_path: Path) -> None:
    """Submit 4701's November over the monthly API, move the live totals on, export: the file shows the submitted
    version (with its version and time); 4702's November, not submitted, shows the live figures, labelled so."""
    with site() as service:
        district = httpx.Client(base_url=service.url, timeout=30,
                                headers={"Authorization": f"Bearer {token_for('district_officer:4701')}"})
        province = httpx.Client(base_url=service.url, timeout=30,
                                headers={"Authorization": f"Bearer {token_for('province_officer:47')}"})
        view = service.app.state.totals_view
        assert wait_until(lambda: view.ready, 60)
        submitted = district.post("/api/v1/reports/4701/2026-11/submit")
        assert submitted.status_code == 200, submitted.text
        assert submitted.json()["submissions"][0]["figures"]["registrants"] == 120

        producer = Producer({"bootstrap.servers": kafka.bootstrap})
        for row in (TotalsRow("4701", None, 4, {"registrants": 999}), TotalsRow("4702", None, 3, {"registrants": 77})):
            producer.produce(topic, key=row.key.encode(), value=json.dumps(row.as_json()).encode())
        assert producer.flush(60) == 0
        assert wait_until(lambda: view.figures("district", "4702").get("registrants") == 77, 60)
        assert view.figures("district", "4701")["registrants"] == 999

        def fetch(client: httpx.Client, code: str, fmt: str) -> bytes:
            started = client.post("/api/v1/exports/monthly", json={"level": "district", "code": code,
                                                                  "period": "2026-11", "format": fmt})
            assert started.status_code == 202, started.text
            got = client.get(_wait_done(client, started.json()["id"])["download_url"])
            assert got.status_code == 200
            return got.content

        (tmp_path / "4701.xlsx").write_bytes(fetch(district, "4701", "xlsx"))
        rows = list(openpyxl.load_workbook(tmp_path / "4701.xlsx")["สรุป"].iter_rows(min_row=2, values_only=True))
        values = {r[1]: r[3] for r in rows if r[0] == "สถานะสะสม"}
        about = {r[0]: r[1] for r in rows if r[0] and r[0] not in ("สถานะสะสม", "ผลงานในเดือน")}
        assert values["ผู้ลงทะเบียน"] == 120 and about["สถานะรายงาน"] == "ส่งแล้ว" and about["ฉบับที่"] == "1"
        assert about["ส่งเมื่อ"].endswith(" น.")
        pdf = squeeze("".join(p.extract_text() for p in PdfReader(io.BytesIO(fetch(district, "4701", "pdf"))).pages))
        assert squeeze("ตัวเลขที่ส่งแล้ว: ฉบับที่ 1 ส่งเมื่อ") in pdf and squeeze("1ผู้ลงทะเบียน120") in pdf
        assert squeeze(about["ส่งเมื่อ"]) in pdf

        (tmp_path / "4702.xlsx").write_bytes(fetch(province, "4702", "xlsx"))
        rows = list(openpyxl.load_workbook(tmp_path / "4702.xlsx")["สรุป"].iter_rows(min_row=2, values_only=True))
        about = {r[0]: r[1] for r in rows if r[0] and r[0] not in ("สถานะสะสม", "ผลงานในเดือน")}
        assert {r[1]: r[3] for r in rows if r[0] == "สถานะสะสม"}["ผู้ลงทะเบียน"] == 77
        assert about["สถานะรายงาน"] == "ยังไม่ได้ส่ง (ตัวเลข ณ ปัจจุบัน)" and "ฉบับที่" not in about
        pdf = squeeze("".join(p.extract_text() for p in PdfReader(io.BytesIO(fetch(province, "4702", "pdf"))).pages))
        assert squeeze("ยังไม่ได้ส่งรายงานเดือนนี้: ตัวเลข ณ ปัจจุบัน") in pdf and squeeze("1ผู้ลงทะเบียน77") in pdf
