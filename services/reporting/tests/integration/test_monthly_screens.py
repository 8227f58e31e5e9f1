"""The monthly pages in a real browser (Chromium, Playwright) over in-memory fakes: no horizontal overflow at
1280 px and 360 px, no Content-Security-Policy violation, a province officer returning a district's report
through the form; screenshots in ``test-artifacts/monthly-*.png``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, sync_playwright

from contracts.claims import Claims, Role
from infra.dev.testing import RunningService, serve, stop_service
from reporting import monthly
from reporting.monthly.areas import Areas
from reporting.monthly.cycle import MonthlyCycle
from reporting.monthly.periods import BANGKOK, Period
from reporting.settings import Settings
from reporting.totals.districts import TotalsRow
from reporting.totals.rollup import RollUp
from reporting.web import install_web
from reporting.web.context import COOKIE
from reporting.web.session import MemorySessions

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
OCTOBER = Period.parse("2026-10")


class Reports:
    """An in-memory store (the pages' behaviour does not depend on MongoDB; test_monthly_store covers it)."""

    def __init__(self) -> None:
        self.reports: dict[str, Any] = {}
        self.flagged: set[str] = set()

    def get(self, report_id: str) -> Any:
        return self.reports.get(report_id)

    def of_period(self, period: Period, province_code: str | None = None) -> list[Any]:
        return [r for r in self.reports.values()
                if r.period == period and (province_code is None or r.province_code == province_code)]

    def save(self, report: Any, events: Any, now: datetime) -> None:
        self.reports[report.id] = report

    def overdue_flagged(self, period: Period) -> set[str]:
        return self.flagged

    def flag_overdue(self, period: Period, flagged: Any, now: datetime) -> None:
        self.flagged |= {rid for rid, _ in flagged}


class Totals:
    def __init__(self) -> None:
        self.rollup = RollUp()

    def figures(self, level: str, code: str, day: str | None = None) -> dict[str, int]:
        return self.rollup.figures(level, "TH" if level == "nation" else code, day)

    def days(self, level: str, code: str) -> list[str]:
        return self.rollup.days(level, "TH" if level == "nation" else code)


@pytest.fixture(scope="module")
def site() -> Iterator[RunningService]:
    totals = Totals()
    for n, district in enumerate(Areas.districts("47")):
        totals.rollup.apply(TotalsRow(district.code, None, 1, {
            "registrants": 120 + n * 7, "contacted": 90 + n, "mediation_entered": 40, "mediation_succeeded": 25,
            "debt_before_satang": 350_000_000, "debt_after_satang": 210_000_000,
            "debt_reduced_satang": 140_000_000}))
        totals.rollup.apply(TotalsRow(district.code, "2026-10-15", 1, {"registrations": 5 + n, "contacts": 9}))
    clock = {"now": datetime(2026, 11, 29, 10, 0, tzinfo=BANGKOK)}
    cycle = MonthlyCycle(Reports(), lambda: totals, Areas(), lambda: clock["now"])
    # Most of Sakon Nakhon's districts submit October on time, two late, one is returned, the rest do not.
    codes = [d.code for d in Areas.districts("47")]
    for code in codes[:12]:
        cycle.submit(Claims(sub=f"do-{code}", roles=frozenset({Role.DISTRICT_OFFICER}), unit_code=code), code, OCTOBER)
    clock["now"] = datetime(2026, 12, 1, 9, 0, tzinfo=BANGKOK)
    for code in codes[12:14]:
        cycle.submit(Claims(sub=f"do-{code}", roles=frozenset({Role.DISTRICT_OFFICER}), unit_code=code), code, OCTOBER)
    province = Claims(sub="po-47", roles=frozenset({Role.PROVINCE_OFFICER}), unit_code="47")
    cycle.return_(province, codes[13], OCTOBER, "จำนวนผู้ได้รับการไกล่เกลี่ยไม่ตรงกับทะเบียน กรุณาตรวจสอบ")
    app = FastAPI()
    install_web(app, Settings(), [monthly.feature()])
    app.state.monthly = cycle
    app.state.web.use_sessions(MemorySessions())
    running = serve(app)
    yield running
    stop_service(running)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def session_cookie(site: RunningService, claims: dict[str, Any]) -> dict[str, Any]:
    app: FastAPI = site.app
    sid = app.state.web.sessions(None).create({"kind": "staff", "claims": claims, "token_exp": time.time() + 600}, 600)
    return {"name": COOKIE, "value": app.state.web.cookie_value(sid), "url": site.url + "/reports"}


def test_pages_fit_phones_and_desktops_and_return_works(site: RunningService, chromium: Browser,
                                                        pytestconfig: pytest.Config) -> None:
    shots = pytestconfig.rootpath / "test-artifacts"
    shots.mkdir(exist_ok=True)
    problems: list[str] = []
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    context.add_cookies([session_cookie(site, {"sub": "po-47", "roles": ["province_officer"], "unit_code": "47"})])
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pages = (("/reports/monthly/board?period=2026-10&sort=-submitted_at", "board"),
             ("/reports/monthly/47/2026-10", "province"), ("/reports/monthly/4701/2026-10", "district"))
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 740})
        for path, name in pages:
            page.goto(site.url + path)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (name, width)
            page.screenshot(path=str(shots / f"monthly-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site.url + "/reports/monthly/47/2026-10")
    assert "ความครบถ้วน" in page.content() and "ยังไม่ส่ง 5 อำเภอ" in page.content()
    assert not page.is_visible("#reason-4701")  # folded away until asked for
    page.locator("#reason-4701").locator("xpath=ancestor::details/summary").click()
    page.fill("#reason-4701", "กรุณาแก้ไขยอดหนี้ที่ลดลง")
    page.locator("#reason-4701").locator("xpath=..").locator("button").click()
    page.wait_for_url("**/reports/monthly/47/2026-10?done=returned")
    assert "ส่งคืนรายงานให้แก้ไขแล้ว" in page.content()
    context.close()
    assert not [p for p in problems if "Content Security Policy" in p], problems
