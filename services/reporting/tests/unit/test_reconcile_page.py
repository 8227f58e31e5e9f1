"""The reconciliation page: the last result in Thai (English with ?lang=en), money in baht with satang, each
staff member seeing their own units' differences; only DOPA gets the run-now button and may use it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from reporting.reconcile import HERE, pages
from reporting.reconcile.compare import Difference
from reporting.reconcile.result import RunResult
from reporting.reconcile.runner import Runner
from reporting.reconcile.use_cases import Reconciliations
from reporting.settings import Settings
from reporting.web import Feature, install_web
from reporting.web.session import MemorySessions

from .signed_in import browser as signed_in_browser

PERSONAS: dict[str, dict[str, Any]] = {
    "dopa": {"roles": ["dopa_admin"]},
    "province_47": {"roles": ["province_officer"], "unit_code": "47"},
    "district_4801": {"roles": ["district_officer"], "unit_code": "4801"},
    "auditor": {"roles": ["auditor"]},
}
STARTED = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08:00 on 1 December 2569 in Bangkok


class Results:
    def __init__(self, *runs: RunResult) -> None:
        self.saved = {r.run_id: r for r in runs}

    def save(self, result: RunResult) -> None:
        self.saved[result.run_id] = result

    def history(self, limit: int = 20) -> list[RunResult]:
        return sorted(self.saved.values(), key=lambda r: r.started_at, reverse=True)[:limit]


def last_run() -> RunResult:
    found = [Difference("nation", "", "principal_satang", 250_000_050, 250_000_000),
             Difference("province", "47", "registrants", 10, 12),
             Difference("district", "4801", "closed", 3, 2)]
    return RunResult("run-7", "schedule", STARTED).finished(STARTED + timedelta(seconds=12.5), cases_read=1234,
                                                            reads=2, differences=found, unsettled=[],
                                                            refused_lines=[])


@pytest.fixture
def app() -> FastAPI:
    app = FastAPI()
    install_web(app, Settings(), [Feature("reconcile", [pages.router], templates=HERE / "templates")])
    app.state.web.use_sessions(MemorySessions())
    results = Results(last_run())
    app.state.reconciliations = Reconciliations(Runner(None, save_failure=results.save), results)
    return app


def browser(app: FastAPI, persona: str | None) -> TestClient:
    return signed_in_browser(app, persona, PERSONAS)


def test_dopa_reads_the_last_result_in_thai(app: FastAPI) -> None:
    page = browser(app, "dopa").get("/reports/reconciliation")
    assert page.status_code == 200
    text = page.text
    for thai in ("กระทบยอดกับระบบลงทะเบียน", "ผลล่าสุด", "เสร็จสิ้น", "1 ธันวาคม 2569 08:00:00", "12.5 วินาที",
                 "1,234", "อ่านซ้ำเพื่อยืนยัน", "ความต่างที่ยืนยันแล้ว (ตามหน่วยและตัวเลข)", "เงินต้น",
                 "2,500,000.50", "2,500,000.00", "-0.50", "จังหวัด 47", "ผู้ลงทะเบียน", "+2", "อำเภอ 4801",
                 "ปิดเรื่องแล้ว", "กระทบยอดเดี๋ยวนี้", "ยังไม่ได้ตั้งค่าการกระทบยอด"):
        assert thai in text, thai
    english = browser(app, "dopa").get("/reports/reconciliation?lang=en").text
    assert "Reconciliation with registration" in english and "Principal" in english and "1 December 2026" in english


def test_a_province_sees_its_own_units_and_no_button(app: FastAPI) -> None:
    text = browser(app, "province_47").get("/reports/reconciliation").text
    assert "จังหวัด 47" in text and "อำเภอ 4801" not in text and "เงินต้น" not in text
    assert "กระทบยอดเดี๋ยวนี้" not in text
    district = browser(app, "district_4801").get("/reports/reconciliation").text
    assert "อำเภอ 4801" in district and "จังหวัด 47" not in district


def test_who_reads_no_totals_is_refused_and_no_session_goes_to_sign_in(app: FastAPI) -> None:
    assert browser(app, "auditor").get("/reports/reconciliation").status_code == 403
    anonymous = browser(app, None).get("/reports/reconciliation", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/reports/auth/signin")


def csrf_of(client: TestClient) -> str:
    text = client.get("/reports/reconciliation").text
    marker = 'name="csrf" value="'
    start = text.index(marker) + len(marker)
    return text[start:text.index('"', start)]


def test_only_dopa_starts_a_run_from_the_page(app: FastAPI) -> None:
    province = browser(app, "province_47")
    refused = province.post("/reports/reconciliation", data={"csrf": csrf_of(province)}, follow_redirects=False)
    assert refused.status_code == 403
    dopa = browser(app, "dopa")
    assert dopa.post("/reports/reconciliation", data={"csrf": "forged"}, follow_redirects=False).status_code == 403
    started = dopa.post("/reports/reconciliation", data={"csrf": csrf_of(dopa)}, follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"].startswith("/reports/reconciliation?started=")
