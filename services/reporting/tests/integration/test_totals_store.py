from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from pymongo import MongoClient

from contracts import registry
from reporting.adapters.totals_store import TotalsStore

EXAMPLES = {**dict(registry.examples("CaseRegistered", 1)), **dict(registry.examples("CaseUpdated", 1))}


@pytest.fixture
def store(mongodb_uri: str, db_name: str) -> Iterator[TotalsStore]:
    client: MongoClient[dict[str, object]] = MongoClient(mongodb_uri, tz_aware=True)
    totals = TotalsStore(client[db_name])  # type: ignore[arg-type]
    totals.ensure_indexes()
    yield totals
    client.close()


def test_each_case_counts_once_at_every_level(store: TotalsStore) -> None:
    online, desk = EXAMPLES["online.json"], EXAMPLES["desk.json"]
    other_case = {**online, "event_id": str(uuid.uuid4()), "case_id": "c-other"}
    assert store.apply(online) is True
    assert store.apply({**online, "event_id": str(uuid.uuid4())}) is False  # same case registered again
    assert store.apply(other_case) is True
    assert store.apply(desk) is True
    nation = store.get("nation", "TH")
    assert nation is not None
    assert (nation["cases"], nation["cases_online"], nation["cases_desk"]) == (3, 2, 1)
    assert nation["outstanding_satang"] == 2 * online["outstanding_satang"] + desk["outstanding_satang"]
    assert store.get("district", "4701")["cases"] == 2  # type: ignore[index]
    assert [row["code"] for row in store.children("province", "")] == ["10", "47"]


def test_update_replaces_the_case_contribution_and_stale_updates_are_ignored(store: TotalsStore) -> None:
    registered, updated = EXAMPLES["online.json"], EXAMPLES["creditor-added.json"]
    assert updated["case_id"] == registered["case_id"]
    store.apply(registered)
    assert store.apply(updated) is True
    assert store.apply(updated) is False  # redelivered
    assert store.apply({**updated, "event_id": str(uuid.uuid4()), "revision": 2, "creditor_count": 99}) is False
    district = store.get("district", "4701")
    assert district is not None
    assert (district["cases"], district["creditors"], district["outstanding_satang"]) == (
        1, updated["creditor_count"], updated["outstanding_satang"])
    assert district["cases_online"] == 1


def test_totals_agree_with_a_recount_from_case_figures(store: TotalsStore) -> None:
    for n in range(30):
        event = {**EXAMPLES["online.json"], "event_id": str(uuid.uuid4()), "case_id": f"c-{n}",
                 "principal_satang": n * 100, "creditor_count": n % 3}
        store.apply(event)
        store.apply(event)  # every event delivered twice
    recount = sum(doc["principal_satang"] for doc in store.cases.find({"district_code": "4701"}))
    assert store.get("district", "4701")["principal_satang"] == recount == sum(n * 100 for n in range(30))  # type: ignore[index]


def test_an_event_that_would_overflow_the_totals_is_refused_with_an_alarm(
        store: TotalsStore, caplog: pytest.LogCaptureFixture) -> None:
    from prometheus_client import REGISTRY

    def alarms() -> float:
        return REGISTRY.get_sample_value("totals_impossible_total") or 0.0

    big = 2**63 - 1_000
    first = {**EXAMPLES["online.json"], "event_id": str(uuid.uuid4()), "case_id": "c-big", "principal_satang": big}
    assert store.apply(first) is True
    before = alarms()
    second = {**EXAMPLES["online.json"], "event_id": str(uuid.uuid4()), "case_id": "c-more",
              "principal_satang": 1_001}
    assert store.apply(second) is False  # refused: nation would pass 2^63 - 1
    assert alarms() == before + 1 and "impossible totals" in caplog.text
    nation = store.get("nation", "TH")
    assert nation is not None and nation["principal_satang"] == big and isinstance(nation["principal_satang"], int)
    assert nation["cases"] == 1 and store.cases.find_one({"_id": "c-more"}) is None  # nothing of it was written
    floaty = {**second, "event_id": str(uuid.uuid4()), "principal_satang": 1e3}  # JSON Schema "integer" allows it
    assert store.apply(floaty) is False and alarms() == before + 2
