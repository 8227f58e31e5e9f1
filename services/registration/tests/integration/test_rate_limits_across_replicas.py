"""Two registration replicas on one database spend one rate-limit budget: a client who spreads requests
over both is refused after the budget, not after twice it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from infra.dev.testing import KafkaUnderTest

from .conftest import Body, citizen_id
from .test_api_rate_limits import API, assert_thai_429, limited

Token = Callable[[str], str]
MakeBody = Callable[..., Body]


def test_two_replicas_share_the_address_budget(
    kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str, token_for: Token, body: MakeBody,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRUSTED_PROXY_HOPS", raising=False)
    budget = {"api_rate_per_address": 3, "api_rate_per_citizen": 100}
    with limited(kafka, mongodb_uri, issuer_url, db_name, **budget) as first, \
            limited(kafka, mongodb_uri, issuer_url, db_name, **budget) as second:
        answers = []
        for n, replica in enumerate((first, second, first, second)):
            with replica.client(token_for(f"citizen:{citizen_id(540 + n)}")) as api:
                answers.append(api.post(API, json=body()))
        assert [a.status_code for a in answers] == [201, 201, 201, 429]
        assert_thai_429(answers[-1])
        with first.client(token_for(f"citizen:{citizen_id(544)}")) as api:  # and the other replica agrees
            assert_thai_429(api.post(API, json=body()))
