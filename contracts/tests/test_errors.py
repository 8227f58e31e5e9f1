"""The one error shape, the body limit and the documented errors (contracts.errors, contracts.api), on a
small app that uses them the way every service does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated

from fastapi import FastAPI, Header
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict

from contracts.api import install_api_conventions, operation_id
from contracts.claims import CurrentClaims
from contracts.errors import ApiError

THAI = re.compile(r"[\u0E00-\u0E7F]")


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str


class Gone(ApiError):
    status = 409


def app() -> FastAPI:
    made = FastAPI(generate_unique_id_function=operation_id)

    @made.post("/things", tags=["things"])
    def create(thing: Thing) -> dict[str, str]:
        return {"name": thing.name}

    @made.post("/uploads", tags=["things"])
    def upload(body: dict[str, str]) -> dict[str, int]:
        return {"keys": len(body)}

    @made.get("/things/{thing_id}", tags=["things"])
    def read(thing_id: int, claims: CurrentClaims, x_trace: Annotated[str | None, Header()] = None) -> None:
        raise Gone("thing.gone", "ไม่มีแล้ว", "Gone already", extra={"thing_id": thing_id})

    install_api_conventions(made, max_body_bytes=2048, larger_bodies={"/uploads": 8192})
    return made


def client() -> TestClient:
    return TestClient(app(), raise_server_exceptions=False)


def assert_shape(body: dict[str, object], code: str) -> None:
    detail = body["detail"]
    assert isinstance(detail, dict) and detail["code"] == code, body
    assert THAI.search(str(detail["th"])) and detail["en"] and isinstance(body["errors"], list)


def test_truncated_json_is_a_body_error_without_a_character_offset() -> None:
    answer = client().post("/things", content=b'{"name": "ab', headers={"content-type": "application/json"})
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert (error["code"], error["field"]) == ("body.json", "body") and THAI.search(error["th"])
    assert answer.json()["detail"]["field"] == "body"


def test_an_unreadable_body_is_a_thai_400_in_the_one_shape() -> None:
    answer = client().post("/things", content=b'{"name": "\xff\xfe"}', headers={"content-type": "application/json"})
    assert answer.status_code == 400 and answer.headers["content-type"] == "application/json"
    assert_shape(answer.json(), "request.unreadable")


def test_starlette_and_service_refusals_share_the_shape() -> None:
    with client() as http:
        missing = http.get("/nowhere")
        wrong_method = http.delete("/things")
        anonymous = http.get("/things/1")
    assert_shape(missing.json(), "not_found")
    assert_shape(wrong_method.json(), "method.not_allowed")
    assert wrong_method.status_code == 405 and "POST" in wrong_method.headers["allow"]
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    assert_shape(anonymous.json(), "auth.required")


def test_error_bodies_do_not_echo_huge_input() -> None:
    key = "k" * 1500
    answer = client().post("/things", json={"name": "x", key: 1})
    assert answer.status_code == 422 and len(answer.text) < 1200
    assert answer.json()["errors"][0]["code"] == "field.unknown" and len(answer.json()["errors"][0]["field"]) <= 120


def _chunks(size: int) -> Iterator[bytes]:
    yield b'{"name": "'
    for _ in range(size // 100):
        yield b"x" * 100
    yield b'"}'


def test_oversized_bodies_are_refused_with_413_declared_or_streamed() -> None:
    with client() as http:
        declared = http.post("/things", json={"name": "x" * 5000})
        streamed = http.post("/things", content=_chunks(5000), headers={"content-type": "application/json"})
        small = http.post("/things", json={"name": "x" * 1000})
        larger_route = http.post("/uploads", json={"a": "x" * 5000})
        too_large_there = http.post("/uploads", json={"a": "x" * 9000})
    for answer in (declared, streamed, too_large_there):
        assert answer.status_code == 413, answer.text
        assert_shape(answer.json(), "body.too_large")
    assert "content-length" not in streamed.request.headers  # really sent in chunks
    assert small.status_code == 200 and larger_route.status_code == 200


def test_openapi_documents_every_error_with_the_shape_and_explicit_ids() -> None:
    spec = client().get("/openapi.json").json()
    create, read = spec["paths"]["/things"]["post"], spec["paths"]["/things/{thing_id}"]["get"]
    assert (create["operationId"], read["operationId"]) == ("things_create", "things_read")
    assert set(create["responses"]) == {"200", "400", "413", "422"}
    assert set(read["responses"]) == {"200", "401", "404", "422"}
    for status in ("400", "413", "422"):
        assert create["responses"][status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
