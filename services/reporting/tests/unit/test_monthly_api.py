"""The monthly cycle's JSON API over in-memory fakes: shapes, statuses and the shared error shape."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from contracts.api import install_api_conventions, operation_id
from contracts.claims import Claims, Role
from reporting.monthly.api import router
from reporting.monthly.periods import BANGKOK

from .monthly_fakes import World

PEOPLE = {
    "do-4701": Claims(sub="do-4701", roles=frozenset({Role.DISTRICT_OFFICER}), unit_code="4701"),
    "do-4702": Claims(sub="do-4702", roles=frozenset({Role.DISTRICT_OFFICER}), unit_code="4702"),
    "po-47": Claims(sub="po-47", roles=frozenset({Role.PROVINCE_OFFICER}), unit_code="47"),
    "dopa": Claims(sub="dopa", roles=frozenset({Role.DOPA_ADMIN})),
    "registrar": Claims(sub="r", roles=frozenset({Role.REGISTRAR}), unit_code="4701"),
}


class Verifier:
    def already_verified(self, token: str) -> Claims | None:
        return PEOPLE.get(token)

    def verify(self, token: str) -> Claims:
        from contracts.claims import TokenError

        raise TokenError("unknown")


@pytest.fixture
def world() -> World:
    w = World()
    w.clock.now = datetime(2026, 11, 20, 9, 0, tzinfo=BANGKOK)
    w.totals.set("4701", {"registrants": 10, "debt_reduced_satang": 12_345})
    w.totals.set("4701", {"registrations": 4}, day="2026-10-12")
    return w


@pytest.fixture
def client(world: World) -> TestClient:
    app = FastAPI(generate_unique_id_function=operation_id)
    app.include_router(router)
    install_api_conventions(app)
    app.state.monthly = world.cycle()
    app.state.token_verifier = Verifier()
    return TestClient(app)


def as_(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {who}"}


def test_read_submit_return_resubmit(client: TestClient, world: World) -> None:
    before = client.get("/api/v1/reports/4701/2026-10", headers=as_("do-4701"))
    assert before.status_code == 200
    body = before.json()
    assert (body["state"], body["state_th"], body["closed"], body["may_submit"], body["may_return"]) == (
        "not_submitted", "ยังไม่ส่ง", True, True, False)
    assert body["period"]["label_th"] == "ตุลาคม 2569" and body["period"]["district_due_th"] == "30 พฤศจิกายน 2569"
    assert body["name_th"] == "เมืองสกลนคร" and body["due_date"] == "2026-11-30"
    assert body["live_figures"]["registrants"] == 10 and body["live_activity"] == {"registrations": 4}

    submitted = client.post("/api/v1/reports/4701/2026-10/submit", headers=as_("do-4701"))
    assert submitted.status_code == 200
    assert submitted.json()["submissions"][0]["timeliness_th"] == "ทันเวลา"
    again = client.post("/api/v1/reports/4701/2026-10/submit", headers=as_("do-4701"))
    assert again.status_code == 409 and again.json()["detail"]["code"] == "report.already_submitted"

    no_reason = client.post("/api/v1/reports/4701/2026-10/return", headers=as_("po-47"), json={"reason": ""})
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"]["field"] == "reason" and no_reason.json()["detail"]["th"]
    missing = client.post("/api/v1/reports/4701/2026-10/return", headers=as_("po-47"), json={})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reason"
    returned = client.post("/api/v1/reports/4701/2026-10/return", headers=as_("po-47"),
                           json={"reason": "ยอดหนี้ที่ลดลงไม่ตรงกับบันทึก"})
    assert returned.status_code == 200
    assert returned.json()["state"] == "returned" and returned.json()["returns"][0]["reason"].startswith("ยอดหนี้")

    world.totals.set("4701", {"registrants": 11, "debt_reduced_satang": 12_345})
    resubmitted = client.post("/api/v1/reports/4701/2026-10/submit", headers=as_("do-4701")).json()
    assert [(s["version"], s["figures"]["registrants"]) for s in resubmitted["submissions"]] == [(1, 10), (2, 11)]


def test_province_submission_names_the_pending_districts(client: TestClient) -> None:
    refused = client.post("/api/v1/reports/47/2026-10/submit", headers=as_("po-47"))
    assert refused.status_code == 409
    assert refused.json()["detail"]["pending"] == ["4701", "4702", "4703"]
    view = client.get("/api/v1/reports/47/2026-10", headers=as_("po-47")).json()
    assert [d["unit_code"] for d in view["districts"]] == ["4701", "4702", "4703"]


@pytest.mark.parametrize(("method", "path", "who", "status"), [
    ("GET", "/api/v1/reports/4701/2026-10", None, 401),
    ("GET", "/api/v1/reports/4701/2026-10", "do-4702", 403),
    ("GET", "/api/v1/reports/4701/2026-10", "registrar", 403),
    ("GET", "/api/v1/reports/4799/2026-10", "dopa", 404),
    ("GET", "/api/v1/reports/4701/2026-13", "dopa", 422),
    ("GET", "/api/v1/reports/470/2026-10", "dopa", 422),
    ("POST", "/api/v1/reports/4701/2026-10/submit", "po-47", 403),
    ("POST", "/api/v1/reports/4701/2026-11/submit", "do-4701", 409),  # November is not over
    ("GET", "/api/v1/reports/completeness?period=2026-10", "do-4701", 403),
    ("GET", "/api/v1/reports/completeness?period=2026-10&sort=bad", "dopa", 422),
    ("GET", "/api/v1/reports/completeness", "dopa", 422),
    ("GET", "/api/v1/reports/periods", "registrar", 403),
    ("GET", "/api/v1/reports/4701/0000-01", "dopa", 422),  # no year 0: refused before any date is built
    ("GET", "/api/v1/reports/completeness?period=2026-10&province=00", "dopa", 404),
    ("POST", "/api/v1/reports/4701/2026-10/return", "po-47", 409),  # nothing submitted to return (needs a body)
])
def test_refusals_in_the_shared_error_shape(client: TestClient, method: str, path: str, who: str | None,
                                            status: int) -> None:
    body = {"reason": "ส่งคืน"} if path.endswith("/return") else None
    answer = client.request(method, path, headers=as_(who) if who else {}, json=body)
    assert answer.status_code == status
    assert set(answer.json()) == {"detail", "errors"} and answer.json()["detail"]["th"]


def test_completeness_board_and_periods(client: TestClient) -> None:
    client.post("/api/v1/reports/4701/2026-10/submit", headers=as_("do-4701"))
    board = client.get("/api/v1/reports/completeness", params={"period": "2026-10", "sort": "-rate"},
                       headers=as_("dopa")).json()
    assert (board["level"], board["expected"], board["submitted"], board["not_submitted"]) == ("nation", 5, 1, 4)
    assert board["rows"][0]["unit_code"] == "47" and board["rows"][0]["reporting_rate"] == 33.3
    mine = client.get("/api/v1/reports/completeness", params={"period": "2026-10"}, headers=as_("po-47")).json()
    assert [(r["unit_code"], r["state_th"], r["timeliness_th"]) for r in mine["rows"]] == [
        ("4701", "ส่งแล้ว", "ทันเวลา"), ("4702", "ยังไม่ส่ง", None), ("4703", "ยังไม่ส่ง", None)]
    periods = client.get("/api/v1/reports/periods", headers=as_("do-4701")).json()
    assert [p["period"] for p in periods][:3] == ["2026-10", "2026-11", "2026-12"]
    assert periods[0]["province_due"] == "2026-12-06" and periods[0]["fiscal_year"] == 2570
