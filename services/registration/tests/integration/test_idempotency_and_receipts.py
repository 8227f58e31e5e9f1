"""Retries with an Idempotency-Key return the first result; receipts stay unique under concurrency."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pymongo.database import Database

from infra.dev.testing import RunningService

from .conftest import Body, citizen_id

Token = Callable[[str], str]


def test_a_retry_with_the_same_key_returns_the_first_result(
    registration: RunningService, registration_db: Database[Any], token_for: Token, body: Callable[..., Body]
) -> None:
    with registration.client(token_for("registrar:4701")) as desk:
        sent = body("desk", citizen=citizen_id(40))
        first = desk.post("/api/v1/registrations", json=sent, headers={"Idempotency-Key": "k-40"})
        retry = desk.post("/api/v1/registrations", json=sent, headers={"Idempotency-Key": "k-40"})
        changed = desk.post("/api/v1/registrations", json=body("desk", citizen=citizen_id(41)),
                            headers={"Idempotency-Key": "k-40"})
        no_key = desk.post("/api/v1/registrations", json=sent)
    assert first.status_code == 201 and retry.status_code == 201
    assert retry.json() == first.json()
    assert changed.status_code == 422 and changed.json()["errors"][0]["code"] == "idempotency_key.reused"
    assert no_key.status_code == 409  # without a key a second submission is a second attempt
    assert registration_db["cases"].count_documents({}) == 1
    assert registration_db["outbox"].count_documents({"topic": "case-events"}) == 1
    stored = registration_db["idempotency_keys"].find_one()
    assert stored is not None and stored["response"]["case_id"] == first.json()["case_id"]
    indexes = registration_db["idempotency_keys"].index_information().values()
    assert [i["expireAfterSeconds"] for i in indexes if list(i["key"]) == [("created_at", 1)]] == [24 * 3600]


def test_concurrent_retries_with_one_key_make_one_case(
    registration: RunningService, registration_db: Database[Any], token_for: Token, body: Callable[..., Body]
) -> None:
    sent = body("desk", citizen=citizen_id(42))
    token = token_for("registrar:4701")

    def post(_: int) -> tuple[int, dict[str, Any]]:
        with registration.client(token) as desk:
            r = desk.post("/api/v1/registrations", json=sent, headers={"Idempotency-Key": "same"})
            return r.status_code, r.json()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(post, range(8)))
    assert {status for status, _ in results} == {201}, results
    assert len({r["case_id"] for _, r in results}) == 1
    assert registration_db["cases"].count_documents({}) == 1


def test_twenty_concurrent_registrations_get_twenty_distinct_receipts(
    registration: RunningService, registration_db: Database[Any], token_for: Token, body: Callable[..., Body]
) -> None:
    def register(n: int) -> str:
        cid = citizen_id(100 + n)
        with registration.client(token_for(f"citizen:{cid}")) as api:
            r = api.post("/api/v1/registrations", json=body())
            assert r.status_code == 201, r.text
            receipt: str = r.json()["receipt_no"]
            return receipt

    with ThreadPoolExecutor(20) as pool:
        receipts = list(pool.map(register, range(20)))
    assert len(set(receipts)) == 20
    assert all(re.fullmatch(r"47-25[0-9]{2}-[0-9]{6}", r) for r in receipts)
    assert sorted(int(r[-6:]) for r in receipts) == list(range(1, 21))  # no number skipped or repeated
    assert registration_db["cases"].count_documents({}) == 20
