"""What each running service sends on a refusal is what its OpenAPI documents (issue 8, Found #4 and #6):
registration's 409 as documented (it was wrapped differently), reporting's answers with a schema, and a 413
in the one error shape from every service for an oversized body."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import jsonschema
import pytest

from infra.dev.testing import RunningService
from tests.authz.seed import self_registration

THAI = re.compile(r"[\u0E00-\u0E7F]")


def documented(service: RunningService, path: str, method: str, status: str) -> dict[str, Any]:
    spec = httpx.get(service.url + "/openapi.json", timeout=10).json()
    schema = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return {**schema, "components": spec["components"]}  # so "#/components/..." references resolve


def test_registrations_409_is_sent_as_documented(registration: RunningService,
                                                 token_for: Callable[[str], str]) -> None:
    with registration.client(token_for("citizen:1101700230708")) as api:
        first = api.post("/api/v1/registrations", json=self_registration())
        again = api.post("/api/v1/registrations", json=self_registration())
    assert first.status_code == 201, first.text
    assert again.status_code == 409
    jsonschema.validate(again.json(), documented(registration, "/api/v1/registrations", "post", "409"))
    assert again.json()["detail"]["receipt_no"] == first.json()["receipt_no"]


def test_reporting_answers_as_documented(reporting: RunningService, token_for: Callable[[str], str]) -> None:
    with reporting.client(token_for("province_officer:47")) as officer:
        totals = officer.get("/api/v1/totals")
    with reporting.client(token_for("citizen:1101700230708")) as citizen:
        refused = citizen.get("/api/v1/totals")
    jsonschema.validate(totals.json(), documented(reporting, "/api/v1/totals", "get", "200"))
    assert (totals.json()["level"], totals.json()["code"]) == ("province", "47")
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/json"
    jsonschema.validate(refused.json(), documented(reporting, "/api/v1/totals", "get", "403"))


@pytest.mark.parametrize("service", ["registration", "reporting", "notify"])
def test_oversized_bodies_are_a_thai_413(service: str, request: pytest.FixtureRequest,
                                        token_for: Callable[[str], str]) -> None:
    running: RunningService = request.getfixturevalue(service)
    huge = b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}'  # 2 MiB: twice the default MAX_BODY_BYTES
    with running.client(token_for("registrar:4701")) as http:
        answer = http.post("/api/v1/registrations", content=huge, headers={"content-type": "application/json"})
    assert answer.status_code == 413, answer.text[:300]
    detail = answer.json()["detail"]
    assert detail["code"] == "body.too_large" and THAI.search(detail["th"]) and len(answer.content) < 1000
