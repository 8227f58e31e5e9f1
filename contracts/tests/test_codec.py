from __future__ import annotations

import copy
import json

import pytest

from contracts import codec, registry

EXAMPLE = dict(registry.examples("CaseRegistered", 1)[0][1])


def test_encode_keys_by_case_id_and_round_trips() -> None:
    key, value, headers = codec.encode("case-events", EXAMPLE)
    assert key == EXAMPLE["case_id"].encode()
    assert dict(headers) == {"event_type": b"CaseRegistered", "schema_version": b"1"}
    assert codec.decode(value) == EXAMPLE


def test_producer_cannot_add_undeclared_fields() -> None:
    leaky = {**EXAMPLE, "citizen_id": "1101700230708"}
    with pytest.raises(codec.ContractError, match="citizen_id"):
        codec.encode("case-events", leaky)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("principal_satang", 12.5, "principal_satang"),
        ("principal_satang", -1, "principal_satang"),
        ("district_code", "47", "district_code"),
        ("channel", "fax", "channel"),
        ("event_id", "not-a-uuid", "event_id"),
    ],
)
def test_invalid_values_are_rejected_naming_the_field(field: str, value: object, message: str) -> None:
    bad = {**EXAMPLE, field: value}
    with pytest.raises(codec.ContractError, match=message):
        codec.encode("case-events", bad)


def test_missing_required_field_is_rejected() -> None:
    bad = copy.deepcopy(EXAMPLE)
    del bad["case_id"]
    with pytest.raises(codec.ContractError, match="case_id"):
        codec.validate_for_produce(bad)


def test_unknown_topic_is_refused() -> None:
    with pytest.raises(KeyError, match="no-such-topic"):
        codec.encode("no-such-topic", EXAMPLE)


def test_new_event_fills_identity_and_time() -> None:
    fields = {k: v for k, v in EXAMPLE.items() if k not in ("event_id", "event_type", "schema_version", "occurred_at")}
    first, second = codec.new_event("CaseRegistered", 1, **fields), codec.new_event("CaseRegistered", 1, **fields)
    assert first["event_id"] != second["event_id"]
    assert first["occurred_at"].endswith("+00:00")


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1,2]", b"{}", json.dumps({**EXAMPLE, "creditor_count": "two"}).encode(), None,
     json.dumps({**EXAMPLE, "schema_version": 99}).encode()],
)
def test_consumer_rejects_what_breaks_the_contract(raw: bytes | None) -> None:
    with pytest.raises(codec.ContractError):
        codec.decode(raw)


def test_consumer_accepts_fields_added_by_a_newer_producer() -> None:
    newer = {**EXAMPLE, "added_later": 1}
    assert codec.decode(json.dumps(newer).encode())["added_later"] == 1
