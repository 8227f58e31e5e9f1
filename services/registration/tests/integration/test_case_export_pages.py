"""The case-list export from the staff pages, as a browser uses them: a district officer starts the export of
their district, watches its page until the file is ready and downloads it; another district's officer cannot
see the job; a registrar (no worklist) is refused."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]

from bench.worklist_seed import documents
from infra.dev.browser import DevBrowser
from infra.dev.testing import KafkaUnderTest, KeycloakStack, RunningService, registration_site
from registration.casework.case_export_rows import HEADERS


def _officer(site: RunningService, persona: str) -> DevBrowser:
    browser = DevBrowser(site.url)
    browser.sign_in(persona, flow="staff", next_path="/staff")
    return browser


def test_a_district_officer_exports_the_case_list_from_the_pages(
        kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack, identity: RunningService,
        tmp_path: Path) -> None:
    with registration_site(kafka, mongodb_uri, keycloak_server,
                           REGISTRATION_EXPORT_DIR=str(tmp_path / "exports")) as site:
        cases: Any = site.app.state.cases.cases
        cases.insert_many(list(documents(60, 40, others=["4702"], receipt_year=2561)))
        with _officer(site, "district_officer:4701") as browser:
            started = browser.post_form("/casework/exports", {}, page=browser.get("/staff").text)
            assert started.status_code == 303, started.text[:500]
            job_page = started.headers["location"]
            assert job_page.startswith("/casework/exports/")
            page = browser.get(job_page)
            for _ in range(100):
                if "ดาวน์โหลดไฟล์ Excel" in page.text:
                    break
                assert page.headers.get("refresh") == "3"  # the page refreshes itself while the job runs
                time.sleep(0.3)
                page = browser.get(job_page)
            assert page.status_code == 200 and "อำเภอเมืองสกลนคร" in page.text and "100%" in page.text
            got = browser.get(f"{job_page}/file")
            assert got.status_code == 200 and got.headers["cache-control"] == "no-store"
            path = tmp_path / "cases.xlsx"
            path.write_bytes(got.content)
            rows = list(openpyxl.load_workbook(path, read_only=True)["รายการเรื่อง"].iter_rows(values_only=True))
            assert rows[0] == HEADERS and len(rows) == 41
        with _officer(site, "district_officer:4702") as other:
            assert other.get(job_page).status_code == 404
            assert other.get(f"{job_page}/file").status_code == 404
        with _officer(site, "registrar:4701") as registrar:
            refused = registrar.post_form("/casework/exports", {}, page=registrar.get("/staff").text)
            assert refused.status_code == 403
