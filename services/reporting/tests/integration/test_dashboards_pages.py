"""The dashboards on the dev stack, as staff use them: sign-in through Keycloak (ThaiD simulator) with the
realm's staff client, each scope's pages, sign-out, the event stream delivering a change read from the
``totals`` topic, and a real browser (Chromium, Playwright) that sees a figure change without reloading,
with screenshots of the nation and a province at 1280 px and 360 px in ``test-artifacts/``."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from playwright.sync_api import Browser, Page, sync_playwright

from infra.dev.browser import DevBrowser, csrf_in
from infra.dev.testing import KafkaUnderTest, KeycloakStack, RunningService, reporting_site, wait_until
from reporting.dashboards import areas
from reporting.totals.districts import TotalsRow

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
DAYS = [f"2026-11-{d:02d}" for d in range(1, 31)]


class Totals:
    """Writes district rows as the stream worker does (absolute, versioned) to a totals topic of this module's
    own: the session's ``totals`` topic belongs to the real worker, which other tests count on."""

    def __init__(self, bootstrap: str) -> None:
        self.topic = f"totals-dashboards-{uuid.uuid4().hex[:8]}"
        admin = AdminClient({"bootstrap.servers": bootstrap})  # kept until the topic exists
        created = admin.create_topics(
            [NewTopic(self.topic, num_partitions=3, replication_factor=1, config={"cleanup.policy": "compact"})])
        for future in created.values():
            future.result(30)
        self.producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "log_level": 0})
        self.versions: dict[str, int] = {}

    def put(self, district: str, figures: dict[str, int], day: str | None = None) -> None:
        key = f"{district}:{day}" if day else district
        self.versions[key] = self.versions.get(key, 0) + 1
        row = TotalsRow(district, day, self.versions[key], figures)
        self.producer.produce(self.topic, key=row.key.encode(), value=json.dumps(row.as_json()).encode())
        self.producer.flush(10)


def _figures(n: int) -> dict[str, int]:
    registrants = 40 + (n * 37) % 260
    entered = registrants * (15 + (n * 13) % 70) // 100
    return {"registrants": registrants, "registrants_self_online": registrants // 2,
            "registrants_desk": registrants - registrants // 2, "creditors": registrants * 2, "debts": registrants * 3,
            "principal_satang": registrants * 4_250_000, "outstanding_satang": registrants * 6_100_050,
            "contacted": registrants * 9 // 10, "wants_mediation": entered + 3, "declined_mediation": 5,
            "unreachable": 4, "mediation_entered": entered, "mediation_succeeded": entered * 2 // 3,
            "mediation_failed": entered // 5, "debt_before_satang": entered * 3_000_000,
            "debt_after_satang": entered * 1_800_000, "debt_reduced_satang": entered * 1_200_000,
            "referred_law": 3, "referred_police": 2, "referred_prosecution": 1, "referred_bank": 4, "referred_gsb": 3,
            "referred_baac": 1, "excessive_interest": registrants // 4, "closed": entered // 2,
            "transfers_in": 1, "transfers_out": 1}


@pytest.fixture(scope="module")
def totals(kafka: KafkaUnderTest) -> Totals:
    """Every province's first district (and all of Sakon Nakhon's) with figures, and 30 days in 4701."""
    writer = Totals(kafka.bootstrap)
    for n, province in enumerate(areas.provinces()):
        if province.code in ("58", "96"):
            continue  # two provinces without registrants yet: the map shows them empty
        districts = areas.districts(province.code)
        for district in districts if province.code == "47" else districts[:1]:
            writer.put(district.code, _figures(n + int(district.code)))
    for i, day in enumerate(DAYS):
        writer.put("4701", {"registrations": 5 + (i * 7) % 11, "contacts": 3 + i % 4, "decisions": 2,
                            "mediations_entered": 1 + i % 3, "mediations_succeeded": i % 2, "closures": i % 2}, day)
    return writer


@pytest.fixture(scope="module")
def site(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack, identity: RunningService,
         totals: Totals) -> Iterator[RunningService]:
    with reporting_site(kafka, mongodb_uri, keycloak_server, totals_topic=totals.topic) as service:
        assert service.app.state.totals_view.wait_ready(60)
        assert wait_until(lambda: service.app.state.totals_view.figures("district", "4701").get("registrants"), 30)
        yield service


def signed_in(site: RunningService, persona: str, next_path: str = "/reports/dashboards") -> DevBrowser:
    browser = DevBrowser(site.url)
    back = browser.sign_in_through(f"{site.url}/reports/auth/signin?next={next_path}", persona)
    assert back.status_code in (303, 403), back.text[:300]
    return browser


def test_staff_sign_in_and_see_their_own_scope(site: RunningService) -> None:
    view = site.app.state.totals_view
    with signed_in(site, "province_officer:47") as officer:
        home = officer.follow(officer.get("/reports/dashboards"))
        assert str(home.url).endswith("/reports/dashboards/province/47") and home.status_code == 200
        registrants = view.figures("province", "47")["registrants"]
        assert f'data-figure="registrants">{registrants:,}<' in home.text
        assert officer.get("/reports/dashboards/district/4718").status_code == 200
        assert officer.get("/reports/dashboards/province/48").status_code == 403
        assert officer.get("/reports/dashboards/nation").status_code == 403
        assert officer.get("/reports/dashboards/events?level=nation&max_seconds=0").status_code == 403
        # Sessions are stored under a hash of their id, with the verified claims.
        stored = site.app.state.mongo[site.app.state.web.database]["web_sessions"].find_one({"kind": "staff"})
        assert stored["claims"]["unit_code"] == "47" and stored["_id"] not in str(officer.cookies)
        # Sign-out ends the session at once.
        signed_out = officer.post("/reports/auth/signout", data={"csrf": csrf_in(home.text)})
        assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/reports?signed_out=1")
        again = officer.get("/reports/dashboards/province/47")
        assert again.status_code == 303 and again.headers["location"].startswith("/reports/auth/signin")
    with signed_in(site, "registrar:4701") as registrar:
        assert registrar.get("/reports/dashboards/district/4701").status_code == 200
        assert registrar.get("/reports/dashboards/district/4702").status_code == 403


def test_accounts_that_are_not_staff_get_no_session(site: RunningService) -> None:
    with DevBrowser(site.url) as auditor:
        back = auditor.sign_in_through(f"{site.url}/reports/auth/signin?next=/reports/dashboards", "auditor")
        assert back.status_code == 403 and "ใช้กับหน้ารายงานไม่ได้" in back.text
        assert auditor.get("/reports/dashboards/nation").status_code == 303


def test_the_stream_delivers_a_change_from_the_totals_topic(site: RunningService, totals: Totals) -> None:
    view = site.app.state.totals_view
    before = view.figures("district", "4702")["registrants"]
    with signed_in(site, "district_officer:4702") as officer:
        def later() -> None:
            time.sleep(1.5)
            totals.put("4801", _figures(3))  # another province: not this stream's business
            totals.put("4702", {**_figures(4702), "registrants": before + 5})

        threading.Thread(target=later).start()
        answer = officer.get("/reports/dashboards/events?level=district&code=4702&max_seconds=8", timeout=20)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/event-stream")
        sent = [json.loads(line[6:]) for line in answer.text.splitlines() if line.startswith("data: ")]
        assert [e["figures"]["registrants"] for e in sent] == [before, before + 5]
        # A browser reconnecting with the version it has is not sent it again.
        ids = re.findall(r"^id: (\d+)$", answer.text, re.M)
        quiet = officer.get("/reports/dashboards/events?level=district&code=4702&max_seconds=1",
                            headers={"Last-Event-ID": str(view.version)})
        assert ids and "event: figures" not in quiet.text and quiet.text.startswith("retry: ")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def _sign_in(page: Page, site: RunningService, keycloak: KeycloakStack, persona: str) -> None:
    page.goto(site.url + "/reports/auth/signin?next=/reports/dashboards")
    page.wait_for_url(f"{keycloak.url}/**")
    page.click("#social-thaid")
    page.wait_for_selector("#thaid-citizen-id")
    page.fill("#thaid-citizen-id", keycloak.accounts.citizen_id_of(persona))
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(f"{site.url}/reports/dashboards/**")


def test_a_browser_updates_live_and_screenshots(site: RunningService, totals: Totals, chromium: Browser,
                                                 keycloak_server: KeycloakStack, pytestconfig: pytest.Config) -> None:
    shots = pytestconfig.rootpath / "test-artifacts"
    shots.mkdir(exist_ok=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    _sign_in(page, site, keycloak_server, "dopa_admin")
    assert page.url.endswith("/reports/dashboards/nation")
    page.wait_for_selector("#live.on")  # the event stream is open
    # A new registration total for Phuket reaches the open page without a reload.
    tile_value = page.locator('[data-tile="83"] text.tile-value')
    old = int((tile_value.text_content() or "0").replace(",", ""))
    totals.put("8301", {**_figures(99), "registrants": old + 1000})
    page.wait_for_function(
        "v => document.querySelector('[data-tile=\"83\"] text.tile-value').textContent === v",
        arg=f"{old + 1000:,}", timeout=15_000)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 740})
        for path, name in (("/reports/dashboards/nation", "nation"), ("/reports/dashboards/province/47", "province")):
            page.goto(site.url + path)
            page.wait_for_selector("#live.on")
            if name == "province":
                page.wait_for_selector("#chart-daily svg")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, width)
            _save(page, shots / f"dashboards-{name}-{width}.png")
    page.goto(site.url + "/reports/dashboards/district/4701?lang=en")
    assert page.locator("h1").inner_text() == "Mueang Sakon Nakhon"
    context.close()
    assert not [p for p in problems if "Content Security Policy" in p], problems


def _save(page: Any, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
