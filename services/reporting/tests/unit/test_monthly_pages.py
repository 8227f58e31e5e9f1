"""The monthly cycle's staff pages over in-memory fakes: scope, submit and return through forms with CSRF,
Thai first with English on ?lang=en, the sortable completeness board."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from reporting import monthly
from reporting.monthly.periods import BANGKOK
from reporting.settings import Settings
from reporting.web import install_web
from reporting.web.session import MemorySessions

from .monthly_fakes import World
from .signed_in import browser, every_persona

PAGES = {
    "/reports/monthly/4701/2026-10": {"dopa", "province_47", "district_4701"},
    "/reports/monthly/47/2026-10": {"dopa", "province_47"},
    "/reports/monthly/board?period=2026-10": {"dopa", "province_47", "province_48"},
    "/reports/monthly/board?period=2026-10&province=47": {"dopa", "province_47"},
}


@pytest.fixture
def world() -> World:
    w = World()
    w.clock.now = datetime(2026, 11, 20, 9, 0, tzinfo=BANGKOK)
    w.totals.set("4701", {"registrants": 10, "debt_reduced_satang": 1_234_567})
    w.totals.set("4701", {"registrations": 4}, day="2026-10-12")
    return w


@pytest.fixture
def app(world: World) -> FastAPI:
    app = FastAPI()
    install_web(app, Settings(), [monthly.feature()])
    app.state.monthly = world.cycle()
    app.state.web.use_sessions(MemorySessions())
    return app




@pytest.fixture
def browsers(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    yield from every_persona(app)


def csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_each_persona_opens_only_the_pages_of_its_scope(browsers: dict[str, TestClient]) -> None:
    for path, allowed in PAGES.items():
        for persona, client in browsers.items():
            status = client.get(path).status_code
            assert status == (200 if persona in allowed else 403), (path, persona, status)


def test_without_a_session_pages_redirect_to_sign_in(app: FastAPI) -> None:
    with browser(app, None) as anonymous:
        answer = anonymous.get("/reports/monthly/4701/2026-10", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/reports/auth/signin")
        post = anonymous.post("/reports/monthly/4701/2026-10/submit", data={"csrf": "x"}, follow_redirects=False)
        assert post.status_code == 401


def test_district_reviews_and_submits_province_returns_with_a_reason(browsers: dict[str, TestClient],
                                                                     world: World) -> None:
    district, province = browsers["district_4701"], browsers["province_47"]
    page = district.get("/reports/monthly/4701/2026-10")
    assert "รายงานผลการปฏิบัติงานประจำเดือน ตุลาคม 2569" in page.text
    assert "30 พฤศจิกายน 2569" in page.text and "12,345.67" in page.text and "ยังไม่ส่ง" in page.text
    no_csrf = district.post("/reports/monthly/4701/2026-10/submit", data={}, follow_redirects=False)
    assert no_csrf.status_code == 403 and world.store.outbox == []
    done = district.post("/reports/monthly/4701/2026-10/submit", data={"csrf": csrf(page.text)},
                         follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/reports/monthly/4701/2026-10?done=submitted"
    assert "ส่งแล้ว" in district.get(done.headers["location"]).text
    assert [e["event_type"] for e in world.store.outbox] == ["ReportSubmitted"]

    review = province.get("/reports/monthly/47/2026-10")
    assert 'id="reason-4701"' in review.text  # a return form on the submitted district's row
    empty = province.post("/reports/monthly/4701/2026-10/return",
                          data={"csrf": csrf(review.text), "reason": " ", "back": "47"})
    assert empty.status_code == 422 and "กรุณาระบุเหตุผลที่ส่งคืน" in empty.text
    english = province.post("/reports/monthly/4701/2026-10/return",
                            data={"csrf": csrf(review.text), "reason": "wrong figures", "back": "47"})
    assert english.status_code == 422 and "กรุณาระบุเหตุผลเป็นภาษาไทย" in english.text
    assert "wrong figures" in english.text  # kept in the form
    sent_back = province.post("/reports/monthly/4701/2026-10/return",
                              data={"csrf": csrf(review.text), "reason": "ยอดหนี้ลดลงไม่ตรง", "back": "47"},
                              follow_redirects=False)
    assert sent_back.headers["location"] == "/reports/monthly/47/2026-10?done=returned"
    again = district.get("/reports/monthly/4701/2026-10")
    assert "ยอดหนี้ลดลงไม่ตรง" in again.text and "ส่งรายงานใหม่" in again.text
    refused = province.post("/reports/monthly/47/2026-10/submit", data={"csrf": csrf(review.text)})
    assert refused.status_code == 409 and "4701, 4702, 4703" in refused.text


def test_board_in_thai_and_english_sortable(browsers: dict[str, TestClient]) -> None:
    dopa = browsers["dopa"]
    thai = dopa.get("/reports/monthly/board?period=2026-10&sort=-rate").text
    assert "ความครบถ้วนการส่งรายงาน ตุลาคม 2569" in thai and "สกลนคร" in thai and "อัตราการส่ง" in thai
    assert 'aria-sort="descending"' in thai
    english = dopa.get("/reports/monthly/board?period=2026-10&lang=en").text
    assert "Reporting completeness October 2026" in english and "Sakon Nakhon" in english
    assert browsers["dopa"].get("/reports/monthly", follow_redirects=False).headers["location"] == (
        "/reports/monthly/board?period=2026-10")
    assert browsers["district_4701"].get("/reports/monthly", follow_redirects=False).headers["location"] == (
        "/reports/monthly/4701/2026-10")
    assert browsers["registrar_4701"].get("/reports/monthly").status_code == 403
