from __future__ import annotations

import uuid

from pymongo import MongoClient

from contracts import registry
from reporting.adapters.totals_store import TotalsStore


def test_each_event_counts_once_at_every_level(mongodb_uri: str, db_name: str) -> None:
    client: MongoClient[dict[str, object]] = MongoClient(mongodb_uri, tz_aware=True)
    store = TotalsStore(client[db_name])  # type: ignore[arg-type]
    examples = dict(registry.examples("CaseRegistered", 1))
    online, desk = examples["online.json"], examples["desk.json"]
    assert store.apply(online) is True
    assert store.apply(online) is False  # redelivered: deduplicated by event_id
    assert store.apply({**online, "event_id": str(uuid.uuid4())}) is True
    assert store.apply(desk) is True
    nation = store.get("nation", "TH")
    assert nation is not None
    assert (nation["cases"], nation["cases_online"], nation["cases_desk"]) == (3, 2, 1)
    assert nation["outstanding_satang"] == 2 * online["outstanding_satang"] + desk["outstanding_satang"]
    assert store.get("district", "4701")["cases"] == 2  # type: ignore[index]
    assert [row["code"] for row in store.children("province", "")] == ["10", "47"]
    client.close()
