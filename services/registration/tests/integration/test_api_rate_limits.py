"""The JSON API's POSTs are rate limited per client address and per citizen ID (Thai 429 JSON with
Retry-After), and a caller cannot buy a fresh budget with a made-up X-Forwarded-For."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from infra.dev.testing import KafkaUnderTest, RunningService, serve, stop_service

from .conftest import Body, citizen_id

Token = Callable[[str], str]
MakeBody = Callable[..., Body]
API = "/api/v1/registrations"


@contextmanager
def limited(kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str,
            **limits: Any) -> Iterator[RunningService]:
    from registration.main import create_app
    from registration.settings import Settings

    settings = Settings(kafka_bootstrap_servers=kafka.bootstrap, mongodb_uri=mongodb_uri, oidc_issuer_url=issuer_url,
                        mongodb_database=f"lim_{db_name}", **limits)
    with pytest.MonkeyPatch.context() as patch:
        # uvicorn itself believes X-Forwarded-For from loopback peers unless told otherwise; registration's
        # __main__ turns that off, so the address is decided by contracts.web alone, as here.
        patch.setenv("FORWARDED_ALLOW_IPS", "192.0.2.1")
        service = serve(create_app(settings))
    try:
        yield service
    finally:
        stop_service(service)


def assert_thai_429(answer: httpx.Response) -> None:
    assert answer.status_code == 429, answer.text
    detail = answer.json()["detail"]
    assert detail["code"] == "rate.limited" and "ถี่เกินไป" in detail["th"] and "Too many" in detail["en"]
    assert int(answer.headers["retry-after"]) >= 1 and detail["retry_after"] == answer.headers["retry-after"]


def test_a_citizen_is_limited_whatever_address_they_claim(
    kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str, token_for: Token, body: MakeBody,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRUSTED_PROXY_HOPS", raising=False)
    with limited(kafka, mongodb_uri, issuer_url, db_name, api_rate_per_citizen=3, api_rate_per_address=100) as svc, \
            svc.client(token_for(f"citizen:{citizen_id(501)}")) as api:
        answers = [api.post(API, json=body(), headers={"x-forwarded-for": f"203.0.113.{n}"}) for n in range(4)]
        assert [a.status_code for a in answers] == [201, 409, 409, 429]
        assert_thai_429(answers[-1])
        # Adding creditors to one's case draws on the same citizen's budget.
        case_id = answers[0].json()["case_id"]
        assert_thai_429(api.post(f"{API}/{case_id}/creditors", json={"creditors": body()["creditors"]}))
        # Another citizen has a budget of their own.
        with svc.client(token_for(f"citizen:{citizen_id(502)}")) as other:
            assert other.post(API, json=body()).status_code == 201


def test_nobody_spends_another_citizens_budget(
    kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str, token_for: Token, body: MakeBody
) -> None:
    victim = citizen_id(505)
    with limited(kafka, mongodb_uri, issuer_url, db_name, api_rate_per_citizen=2, api_rate_per_address=100) as svc:
        with svc.client(token_for(f"citizen:{citizen_id(504)}")) as prankster:
            tries = [prankster.post(API, json=body(citizen=victim)).status_code for _ in range(3)]
        assert tries == [403, 403, 429]  # their own budget, not the victim's
        with svc.client(token_for(f"citizen:{victim}")) as api:
            assert api.post(API, json=body()).status_code == 201


def test_a_desk_is_limited_per_debtor(
    kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str, token_for: Token, body: MakeBody
) -> None:
    with limited(kafka, mongodb_uri, issuer_url, db_name, api_rate_per_citizen=2, api_rate_per_address=100) as svc, \
            svc.client(token_for("registrar:4701")) as desk:
        same = [desk.post(API, json=body("desk", citizen=citizen_id(511))).status_code for _ in range(3)]
        assert same == [201, 409, 429]
        assert desk.post(API, json=body("desk", citizen=citizen_id(512))).status_code == 201


def test_an_address_is_limited_across_citizens_and_a_spoofed_header_does_not_help(
    kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str, token_for: Token, body: MakeBody,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRUSTED_PROXY_HOPS", raising=False)
    with limited(kafka, mongodb_uri, issuer_url, db_name, api_rate_per_address=3, api_rate_per_citizen=100) as svc:
        codes = []
        for n in range(4):
            with svc.client(token_for(f"citizen:{citizen_id(520 + n)}")) as api:
                codes.append(api.post(API, json=body(), headers={"x-forwarded-for": f"198.51.100.{n}"}))
        assert [a.status_code for a in codes] == [201, 201, 201, 429]
        assert_thai_429(codes[-1])
        # Invalid bodies spend the address's budget too: a flood of junk is limited like anything else.
        with svc.client(token_for("registrar:4701")) as desk:
            assert_thai_429(desk.post(API, json={"channel": "desk"}))
            assert desk.post(f"{API}/c-unknown/creditors/1/debts", json={"debts": []}).status_code == 429
        with svc.client() as anonymous:  # no token: 401 before any budget is looked at
            assert anonymous.post(API, json=body()).status_code == 401


def test_behind_one_trusted_proxy_each_client_has_its_own_budget(
    kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str, token_for: Token, body: MakeBody,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    with limited(kafka, mongodb_uri, issuer_url, db_name, api_rate_per_address=1, api_rate_per_citizen=100) as svc:
        def post(n: int, forwarded: str) -> int:
            with svc.client(token_for(f"citizen:{citizen_id(530 + n)}")) as api:
                return api.post(API, json=body(), headers={"x-forwarded-for": forwarded}).status_code

        # The proxy appends the address it saw; what the caller wrote to its left is not trusted.
        assert post(0, "10.9.9.9, 203.0.113.10") == 201
        assert post(1, "10.9.9.8, 203.0.113.10") == 429
        assert post(2, "203.0.113.11") == 201
