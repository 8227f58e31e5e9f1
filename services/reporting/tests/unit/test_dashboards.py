"""Dashboards against the real ``TotalsView`` (fed rows directly, no broker): scope on every page and on the
event stream, pages showing the figures, the stream delivering a change, Last-Event-ID, the tile map."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from contracts.claims import Claims
from reporting import dashboards
from reporting.dashboards import areas
from reporting.dashboards.routes import figure_events
from reporting.dashboards.scope import concerns, home_unit, may_view
from reporting.dashboards.snapshot import Snapshots, snapshot
from reporting.dashboards.tilemap import TILES, shades, too_wide
from reporting.settings import Settings
from reporting.totals.districts import TotalsRow
from reporting.totals.view import TotalsView
from reporting.web import install_web
from reporting.web.session import MemorySessions

from .signed_in import PERSONAS, browser, every_persona

# page → personas that may open it (everyone else in PERSONAS gets 403)
PAGES = {
    "/reports/dashboards/nation": {"dopa"},
    "/reports/dashboards/province/47": {"dopa", "province_47"},
    "/reports/dashboards/district/4701": {"dopa", "province_47", "district_4701", "registrar_4701"},
    "/reports/dashboards/district/4702": {"dopa", "province_47", "district_4702"},
    "/reports/dashboards/district/4801": {"dopa", "province_48"},
}
STREAMS = {
    "level=nation": {"dopa"},
    "level=province&code=47": {"dopa", "province_47"},
    "level=district&code=4701": {"dopa", "province_47", "district_4701", "registrar_4701"},
    "level=district&code=4801": {"dopa", "province_48"},
}


def row(district: str, version: int, figures: dict[str, int], day: str | None = None) -> bytes:
    return json.dumps(TotalsRow(district, day, version, figures).as_json()).encode()


def claims(persona: str) -> Claims:
    return Claims.model_validate({"sub": persona, **PERSONAS[persona]})


@pytest.fixture
def view() -> TotalsView:
    view = TotalsView("127.0.0.1:9")  # never started: rows are applied directly
    view.apply([
        row("4701", 1, {"registrants": 10, "registrants_desk": 4, "mediation_entered": 5, "mediation_succeeded": 2,
                        "debt_reduced_satang": 1_234_567, "closed": 1}),
        row("4702", 1, {"registrants": 4, "mediation_entered": 1}),
        row("4801", 1, {"registrants": 7, "mediation_entered": 7}),
        row("1001", 1, {"registrants": 20, "mediation_entered": 2}),
        row("4701", 1, {"registrations": 3, "mediations_entered": 1}, "2026-11-30"),
        row("4701", 1, {"registrations": 7}, "2026-12-01"),
    ])
    return view


@pytest.fixture
def app(view: TotalsView) -> FastAPI:
    app = FastAPI()
    install_web(app, Settings(), [dashboards.feature()])
    app.state.totals_view = view
    app.state.web.use_sessions(MemorySessions())
    return app




@pytest.fixture
def browsers(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    yield from every_persona(app)


# ---- scope ----------------------------------------------------------------------------------------------


def test_each_persona_opens_only_the_pages_of_its_scope(browsers: dict[str, TestClient]) -> None:
    for path, allowed in PAGES.items():
        for persona, client in browsers.items():
            status = client.get(path).status_code
            assert status == (200 if persona in allowed else 403), (path, persona, status)


def test_each_persona_streams_only_the_units_of_its_scope(browsers: dict[str, TestClient]) -> None:
    for query, allowed in STREAMS.items():
        for persona, client in browsers.items():
            answer = client.get(f"/reports/dashboards/events?{query}&max_seconds=0")
            assert answer.status_code == (200 if persona in allowed else 403), (query, persona)
            if persona in allowed:
                assert answer.headers["content-type"].startswith("text/event-stream")
                assert "event: figures" in answer.text


def test_without_a_session_pages_redirect_to_sign_in_and_the_stream_is_refused(app: FastAPI) -> None:
    with browser(app, None) as anonymous:
        for path in [*PAGES, "/reports/dashboards"]:
            answer = anonymous.get(path, follow_redirects=False)
            assert answer.status_code == 303
            assert answer.headers["location"] == f"/reports/auth/signin?next={path}"
        stream = anonymous.get("/reports/dashboards/events?level=nation&max_seconds=0",
                               headers={"Accept": "text/event-stream"})
        assert stream.status_code == 401


def test_my_dashboard_opens_on_the_persons_own_unit(browsers: dict[str, TestClient]) -> None:
    expected = {"dopa": "/reports/dashboards/nation", "province_47": "/reports/dashboards/province/47",
                "district_4702": "/reports/dashboards/district/4702",
                "registrar_4701": "/reports/dashboards/district/4701"}
    for persona, where in expected.items():
        answer = browsers[persona].get("/reports/dashboards", follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, where)


def test_units_that_do_not_exist_are_404(browsers: dict[str, TestClient]) -> None:
    for path in ("/reports/dashboards/province/99", "/reports/dashboards/district/4799",
                 "/reports/dashboards/district/47", "/reports/dashboards/province/4701"):
        assert browsers["dopa"].get(path).status_code == 404, path
    assert browsers["dopa"].get("/reports/dashboards/events?level=city&code=47").status_code == 404


def test_scope_rules() -> None:
    assert home_unit(claims("dopa")) == ("nation", "")
    assert home_unit(Claims(sub="x")) is None
    assert may_view(claims("province_47"), ("district", "4705"))
    assert not may_view(claims("province_47"), ("district", "4801"))
    assert not may_view(claims("province_47"), ("nation", ""))
    assert not may_view(claims("district_4701"), ("province", "47"))
    assert concerns(("province", "47"), {("district", "4702")})
    assert not concerns(("province", "47"), {("district", "4801"), ("province", "48")})
    assert not concerns(("district", "4701"), {("district", "4702")})
    assert concerns(("nation", ""), {("district", "1001")})


# ---- figures on the pages -------------------------------------------------------------------------------


def test_province_page_shows_its_figures_districts_and_daily_series(browsers: dict[str, TestClient]) -> None:
    page = browsers["province_47"].get("/reports/dashboards/province/47").text
    assert "<h1>สกลนคร</h1>" in page
    assert re.search(r'data-figure="registrants">14<', page)  # 10 + 4: its districts only
    assert re.search(r'data-figure="debt_reduced_satang" data-satang>12,345.67<', page)  # satang as baht
    assert 'href="/reports/dashboards/district/4701">เมืองสกลนคร</a>' in page  # drill down
    assert 'href="/reports/dashboards/nation"' not in page.split("</header>")[1]  # no way up past the scope
    data = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert data["days"] == ["2026-11-30", "2026-12-01"] and data["series"]["registrations"] == [3, 7]
    assert data["share"] == round(6 / 14 * 100, 1)


def test_english_on_request(browsers: dict[str, TestClient]) -> None:
    page = browsers["dopa"].get("/reports/dashboards/district/4701?lang=en").text
    assert '<html lang="en">' in page and "<h1>Mueang Sakon Nakhon</h1>" in page
    assert "Registrants" in page and "ผู้ลงทะเบียน" not in page
    trail = page.split('class="trail"')[1].split("</nav>")[0]
    assert "Whole country" in trail and "Sakon Nakhon" in trail


def test_nation_page_has_the_map_of_77_provinces_and_the_rankings(browsers: dict[str, TestClient]) -> None:
    page = browsers["dopa"].get("/reports/dashboards/nation").text
    assert len(re.findall(r'data-tile="\d\d"', page)) == 77
    assert re.search(r'data-tile="10">\s*<title>กรุงเทพมหานคร: 20</title>', page)
    top = page.split('data-rank="top"')[1].split("</ol>")[0]
    # share brought into mediation: 48 (100 %), 47 (42.9 %), 10 (10 %); provinces without registrants unranked
    assert re.findall(r'province/(\d\d)"', top) == ["48", "47", "10"]


def test_snapshot_ranks_top_and_bottom_five_without_overlap() -> None:
    view = TotalsView("127.0.0.1:9")
    codes = [p.code for p in areas.provinces()][:8]
    view.apply([row(f"{code}01", 1, {"registrants": 100, "mediation_entered": 10 * i}) for i, code in enumerate(codes)])
    snap = snapshot(view, ("nation", ""), "th")
    top, bottom = [c["code"] for c in snap["top"]], [c["code"] for c in snap["bottom"]]
    assert top == list(reversed(codes))[:5] and bottom == codes[:3]
    assert len(snap["children"]) == 77


def test_tile_map_places_every_province_once() -> None:
    assert set(TILES) == {p.code for p in areas.provinces()}
    assert len(set(TILES.values())) == 77
    values = {"a": 0, **{f"p{i}": i for i in range(1, 11)}, "big": 10_000, "tie": 10}
    got = shades(values)
    assert got["a"] == 0 and got["p1"] == got["p2"] == 1 and got["big"] == 5
    assert got["tie"] == got["p10"] and sorted(set(got.values())) == [0, 1, 2, 3, 4, 5]
    assert too_wide("พระนครศรีอยุธยา") and not too_wide("ตาก")


# ---- live updates ---------------------------------------------------------------------------------------


def _events(text: str) -> list[dict[str, Any]]:
    return [json.loads(line[len("data: "):]) for line in text.splitlines() if line.startswith("data: ")]


def test_stream_delivers_a_change_inside_its_unit(app: FastAPI, view: TotalsView,
                                                   browsers: dict[str, TestClient]) -> None:
    def later() -> None:
        time.sleep(0.4)
        view.apply([row("4801", 2, {"registrants": 8})])  # another province: not sent to 47
        view.apply([row("4702", 2, {"registrants": 6, "mediation_entered": 1})])

    threading.Thread(target=later).start()
    answer = browsers["province_47"].get("/reports/dashboards/events?level=province&code=47&max_seconds=2.5")
    assert answer.text.startswith("retry: 3000\n\n")
    sent = _events(answer.text)
    assert [e["figures"]["registrants"] for e in sent] == [14, 16]
    assert sent[1]["version"] > sent[0]["version"]
    assert re.findall(r"^id: (\d+)$", answer.text, re.M) == [str(e["version"]) for e in sent]


def test_a_reconnecting_browser_is_not_sent_figures_it_has() -> None:
    view = TotalsView("127.0.0.1:9")
    view.apply([row("4701", 1, {"registrants": 1})])

    async def read(last_seen: str | None) -> list[str]:
        return [chunk async for chunk in figure_events(view, ("district", "4701"), "th", last_seen, 0.2)]

    assert any(chunk.startswith("id: 1\n") for chunk in asyncio.run(read(None)))
    assert asyncio.run(read(str(view.version))) == ["retry: 3000\n\n"]
    assert any(chunk.startswith("id: 1\n") for chunk in asyncio.run(read("0")))  # an older version: sent again


def test_a_change_made_while_the_stream_starts_is_not_lost() -> None:
    view = TotalsView("127.0.0.1:9")

    async def run() -> list[dict[str, Any]]:
        events = figure_events(view, ("nation", ""), "en", None, 1.5)
        chunks = [await anext(events), await anext(events)]  # retry, the snapshot at version 0
        view.apply([row("1001", 1, {"registrants": 3})])
        chunks.append(await anext(events))
        await events.aclose()  # type: ignore[attr-defined]
        return _events("".join(chunks))

    first, second = asyncio.run(run())
    assert (first["figures"]["registrants"], second["figures"]["registrants"]) == (0, 3)
    assert second["name"] == "Whole country"


def test_snapshots_are_shared_until_the_view_changes(view: TotalsView) -> None:
    snapshots = Snapshots()
    first = snapshots.get(view, ("province", "47"), "th")
    assert snapshots.get(view, ("province", "47"), "th") is first
    assert snapshots.get(view, ("province", "47"), "en") is not first  # names differ by language
    view.apply([row("4701", 2, {"registrants": 11})])
    again = snapshots.get(view, ("province", "47"), "th")
    assert again is not first and again["figures"]["registrants"] == 15
