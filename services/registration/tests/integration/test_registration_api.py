"""POST/GET registrations over HTTP on the dev stack: who may register, validation, one case per citizen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pymongo.database import Database

from infra.dev.testing import RunningService

from .conftest import Body, citizen_id

Token = Callable[[str], str]
MakeBody = Callable[..., Body]


def test_self_registration_stores_the_full_record(
    registration: RunningService, registration_db: Database[Any], token_for: Token, body: MakeBody
) -> None:
    cid = citizen_id(1)
    with registration.client(token_for(f"citizen:{cid}")) as api:
        sent = body(citizen="3-0000-00000-01-" + cid[-1])
        sent["debtor"]["given_name"] = "ชื่อปลอม"  # the verified identity wins over the form
        created = api.post("/api/v1/registrations", json=sent)
        assert created.status_code == 201, created.text
        receipt = created.json()["receipt_no"]
        assert created.json()["excessive_interest"] is True  # 20% per month
        shown = api.get(f"/api/v1/registrations/{receipt}")
    assert shown.status_code == 200, shown.text
    case = shown.json()
    assert receipt.startswith("47-25") and case["case_id"] == created.json()["case_id"]
    assert case["debtor"]["citizen_id"] == cid and case["debtor"]["given_name"] != "ชื่อปลอม"
    assert case["debtor"]["phone"] == "+66812345678" and case["debtor"]["monthly_income_satang"] == 900_000
    debt = case["creditors"][0]["debts"][0]
    assert (debt["principal_satang"], debt["outstanding_satang"], debt["repaid_satang"]) == (2_000_000, 2_600_050,
                                                                                           500_000)
    assert debt["interest_rate_bp"] == 2000 and debt["excessive_interest"] is True
    assert case["creditors"][1]["debts"][0]["excessive_interest"] is False
    assert case["totals"] == {"creditor_count": 2, "debt_count": 2, "principal_satang": 2_500_000,
                              "outstanding_satang": 3_100_050}
    stored = registration_db["cases"].find_one({"_id": case["case_id"]})
    assert stored is not None and stored["campaign"] and stored["unit_code"] is None
    assert all(isinstance(d["principal_satang"], int) for c in stored["creditors"] for d in c["debts"])


def test_registration_needs_a_token_and_the_right_person(
    registration: RunningService, token_for: Token, body: MakeBody
) -> None:
    mine, theirs = citizen_id(2), citizen_id(3)
    with registration.client() as anonymous:
        assert anonymous.post("/api/v1/registrations", json=body()).status_code == 401
    with registration.client("not-a-jwt") as forged:
        assert forged.post("/api/v1/registrations", json=body()).status_code == 401
    with registration.client(token_for(f"citizen:{mine}")) as citizen:
        other = citizen.post("/api/v1/registrations", json=body(citizen=theirs))
        assert other.status_code == 403 and other.json()["detail"]["code"] == "access.self_only"
        assert citizen.post("/api/v1/registrations", json=body("desk")).status_code == 403
    for persona in ("province_officer:47", "dopa_admin", "auditor"):
        with registration.client(token_for(persona)) as staff:
            assert staff.post("/api/v1/registrations", json=body("desk", citizen=theirs)).status_code == 403
    with registration.client(token_for("registrar:4701")) as desk:
        assert desk.post("/api/v1/registrations", json=body("self_online", citizen=theirs)).status_code == 403


def test_desk_and_paper_registration_take_the_unit_from_the_token(
    registration: RunningService, token_for: Token, body: MakeBody
) -> None:
    with registration.client(token_for("registrar:4701")) as desk:
        created = desk.post("/api/v1/registrations", json=body("desk", citizen=citizen_id(10)))
        assert created.status_code == 201, created.text
        case = desk.get(f"/api/v1/registrations/{created.json()['receipt_no']}").json()
        assert case["unit_code"] == "4701" and case["channel"] == "desk" and case["officer_sub"]
        paper = desk.post("/api/v1/registrations", json=body("paper", citizen=citizen_id(11)))
        assert paper.status_code == 201, paper.text
        no_form = desk.post("/api/v1/registrations", json=body("paper", citizen=citizen_id(12), paper_form_no=""))
        assert no_form.status_code == 422 and no_form.json()["errors"][0]["field"] == "paper_form_no"
    with registration.client(token_for("registrar:4702")) as elsewhere:
        outside = elsewhere.post("/api/v1/registrations", json=body("desk", citizen=citizen_id(13)))
        assert outside.status_code == 403 and outside.json()["detail"]["code"] == "access.outside_unit"
    with registration.client(token_for("registrar:47")) as province_centre:  # a Damrongdhamma centre
        assert province_centre.post("/api/v1/registrations",
                                    json=body("desk", citizen=citizen_id(14))).status_code == 201


def _errors(response: Any) -> dict[str | None, str]:
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert all(e["th"] and e["en"] and e["th"] != e["en"] for e in errors)
    return {e["field"]: e["code"] for e in errors}


def test_field_errors_are_named_in_thai_and_english(
    registration: RunningService, token_for: Token, body: MakeBody
) -> None:
    bad = body("desk", citizen="1101700230706")  # wrong check digit
    bad["debtor"]["phone"] = "0212"
    bad["debtor"]["address"]["subdistrict_code"] = "470201"  # in Kusuman, not Mueang Sakon Nakhon
    bad["creditors"][0]["debts"][0].update(principal="100.555", start_date="2999-01-01", interest_rate="abc")
    bad["creditors"][1]["debts"] = []
    bad["help_wanted"] = []
    bad["privacy_acknowledged"] = False
    with registration.client(token_for("registrar:4701")) as desk:
        found = _errors(desk.post("/api/v1/registrations", json=bad))
    assert found == {
        "debtor.citizen_id": "citizen_id.checksum",
        "debtor.phone": "phone.length",
        "debtor.address.subdistrict_code": "subdistrict.not_in_district",
        "creditors.0.debts.0.principal": "money.precision",
        "creditors.0.debts.0.start_date": "date.future",
        "creditors.0.debts.0.interest_rate": "interest_rate.format",
        "creditors.1.debts": "debts.required",
        "help_wanted": "help_wanted.required",
        "privacy_acknowledged": "privacy.required",
    }


def test_malformed_requests_get_thai_messages_never_a_500(
    registration: RunningService, token_for: Token, body: MakeBody
) -> None:
    with registration.client(token_for(f"citizen:{citizen_id(20)}")) as api:
        shape = body(channel="fax", surprise=1)
        shape["creditors"][0]["debts"][0]["principal"] = True
        assert _errors(api.post("/api/v1/registrations", json=shape)) == {
            "channel": "field.choice", "surprise": "field.unknown", "creditors.0.debts.0.principal": "field.text",
        }
        raw = api.post("/api/v1/registrations", content=b"{not json", headers={"content-type": "application/json"})
        assert [(e["code"], e["field"]) for e in raw.json()["errors"]] == [("body.json", "body")]
        assert _errors(api.post("/api/v1/registrations", json=[])) == {None: "field.object"}
        long_key = api.post("/api/v1/registrations", json=body(), headers={"Idempotency-Key": "k" * 200})
        assert _errors(long_key) == {"header.idempotency-key": "field.too_long"}
        assert api.get("/api/v1/registrations/" + "๔" * 40).status_code == 422


def test_a_server_fault_is_a_thai_500_without_internals(
    registration: RunningService, token_for: Token, body: MakeBody
) -> None:
    def broken(_receipt: str) -> None:
        raise RuntimeError("secret internals: mongodb://user:pw@host")

    registration.app.state.intake.cases.find_by_receipt = broken
    with registration.client(token_for("dopa_admin")) as api:
        response = api.get("/api/v1/registrations/47-2569-000001")
    assert response.status_code == 500
    assert response.json()["detail"]["code"] == "server.error" and "ระบบขัดข้อง" in response.json()["detail"]["th"]
    assert "secret" not in response.text and "Traceback" not in response.text


def test_the_same_citizen_twice_gets_the_first_case(
    registration: RunningService, registration_db: Database[Any], token_for: Token, body: MakeBody
) -> None:
    cid = citizen_id(30)
    with registration.client(token_for(f"citizen:{cid}")) as api:
        first = api.post("/api/v1/registrations", json=body())
        again = api.post("/api/v1/registrations", json=body("thaid_app"))
    with registration.client(token_for("registrar:4701")) as desk:
        at_desk = desk.post("/api/v1/registrations", json=body("desk", citizen=cid))
    assert first.status_code == 201
    for response in (again, at_desk):
        assert response.status_code == 409
        detail = response.json()["detail"]
        assert detail["code"] == "case.already_registered"
        assert (detail["case_id"], detail["receipt_no"]) == (first.json()["case_id"], first.json()["receipt_no"])
    assert registration_db["cases"].count_documents({"citizen_id": cid}) == 1
