"""Synthetic case-events for the stream tests and ``bench/reporting``: valid against the contract (built on its
examples), deterministic for a seed; and what they should add up to, computed independently of the worker
from each case's latest event with :func:`reporting.totals.contributions.contribution`. Pure: no I/O."""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from contracts import registry
from reporting.totals.contributions import contribution, transfer_figures
from reporting.totals.events import Transfer, snapshot_of, transfer_of
from reporting.totals.figures import add

Event = dict[str, Any]
DISTRICTS = ("4701", "4702", "4703", "4801", "4802", "1001")
# For the bench: 120 districts in 20 provinces, about the cases per district of a busy province's districts.
MANY_DISTRICTS = tuple(f"{province}{district:02d}" for province in range(30, 50) for district in range(1, 7))
CHANNELS = ("self_online", "thaid_app", "desk", "paper")
START = datetime.fromisoformat("2026-12-02T09:00:00+07:00")


def _example(event_type: str, name: str) -> Event:
    return dict(dict(registry.examples(event_type, 1))[name])


REGISTERED = _example("CaseRegistered", "thaid-with-facts.json")
UPDATED = _example("CaseUpdated", "debts-added-with-facts.json")
TRANSFERRED = _example("CaseTransferred", "from-sakon-nakhon.json")
CLOSED = _example("CaseClosed", "resolved.json")


class CaseStory:
    """One case's events in order, each with the case's snapshot after it (revision 1, 2, ...)."""

    def __init__(self, case_id: str, district: str, rng: random.Random, at: datetime) -> None:
        self.case_id, self.district, self.rng, self.at = case_id, district, rng, at
        self.revision = 0
        self.channel = rng.choice(CHANNELS)
        self.facts: dict[str, Any] = copy.deepcopy(REGISTERED["facts"])
        self.facts.update(channel=self.channel, excessive_interest=rng.random() < 0.5)
        self._debts(rng.randint(1, 3))

    def _debts(self, count: int) -> None:
        principal = sum(self.rng.randint(1_000, 50_000) * 100 for _ in range(count))
        self.facts.update(creditor_count=self.rng.randint(1, count), debt_count=count, principal_satang=principal,
                          outstanding_satang=principal + self.rng.randint(0, 20_000) * 100)

    def _event(self, template: Event, **fields: Any) -> Event:
        self.revision += 1
        self.at += timedelta(minutes=self.rng.randint(1, 3000))
        event = {**copy.deepcopy(template), "event_id": str(uuid.uuid4()), "case_id": self.case_id,
                 "revision": self.revision, "occurred_at": self.at.isoformat(), "province_code": self.district[:2],
                 "district_code": self.district, "status": "new", **fields}
        counts = {k: self.facts[k] for k in ("creditor_count", "debt_count", "principal_satang", "outstanding_satang")}
        event.update(counts, facts=copy.deepcopy(self.facts))
        if event["event_type"] in ("CaseTransferred", "CaseClosed"):
            for name in counts:
                event.pop(name)  # these carry the counts in their facts only
        return event

    def registered(self) -> Event:
        event = self._event(REGISTERED, channel=self.channel)
        event.pop("revision")  # CaseRegistered is revision 1 without saying so
        return event

    def updated(self) -> Event:
        self._debts(self.rng.randint(1, 4))
        return self._event(UPDATED)

    def transferred(self, to_district: str) -> Event:
        from_district, self.district = self.district, to_district
        return self._event(TRANSFERRED, from_province_code=from_district[:2], from_district_code=from_district)

    def closed(self) -> Event:
        self.facts["closure_reason"] = "resolved"
        return self._event(CLOSED, status="closed", reason="resolved")


def case_events(cases: int, *, seed: int = 1, districts: tuple[str, ...] = DISTRICTS, updates: int = 1,
                transfer_share: float = 0.2, close_share: float = 0.2, prefix: str = "c",
                days: int = 30) -> list[Event]:
    """Every event of ``cases`` cases, each case's in its own order (cases interleaved): registered, then
    ``updates`` updates, and for some a transfer to another district and a closure."""
    return list(iter_case_events(cases, seed=seed, districts=districts, updates=updates,
                                 transfer_share=transfer_share, close_share=close_share, prefix=prefix, days=days))


def iter_case_events(cases: int, *, seed: int = 1, districts: tuple[str, ...] = DISTRICTS, updates: int = 1,
                     transfer_share: float = 0.2, close_share: float = 0.2, prefix: str = "c",
                     days: int = 30) -> Iterator[Event]:
    rng = random.Random(seed)  # noqa: S311 - test data, reproducible by seed
    window = 64  # cases in flight at once, so one case's events are spread among others'
    stories: list[list[Event]] = []
    made = 0
    while made < cases or stories:
        while made < cases and len(stories) < window:
            registered_at = START + timedelta(minutes=rng.randint(0, days * 24 * 60))  # spread over the days
            story = CaseStory(f"{prefix}-{seed}-{made:07d}", rng.choice(districts), rng, registered_at)
            events = [story.registered(), *(story.updated() for _ in range(updates))]
            if rng.random() < transfer_share:
                events.append(story.transferred(rng.choice([d for d in districts if d != story.district])))
            if rng.random() < close_share:
                events.append(story.closed())
            stories.append(events)
            made += 1
        index = rng.randrange(len(stories))
        yield stories[index].pop(0)
        if not stories[index]:
            stories.pop(index)


def expected_totals(events: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], dict[str, int]]:
    """(level, code) → figures, from each case's latest event alone (plus the transfers it went through):
    what the streamed totals must equal, however the events were delivered. The nation's code is ``""``."""
    latest: dict[str, tuple[int, str, dict[str, int]]] = {}  # case → (revision, district, contribution)
    transfers: set[tuple[str, Transfer]] = set()
    for event in events:
        case = snapshot_of(event)
        if case is None:
            continue
        held = latest.get(case.case_id)
        if held is None or case.revision > held[0]:
            latest[case.case_id] = (case.revision, case.district_code, contribution(case))
        transfer = transfer_of(event)
        if transfer is not None:
            transfers.add((case.case_id, transfer))
    by_district: dict[str, dict[str, int]] = {}
    for _, district, figures in latest.values():
        by_district[district] = add(by_district.get(district, {}), figures)
    for _, transfer in transfers:
        for district in {transfer.from_district, transfer.to_district}:
            by_district[district] = add(by_district.get(district, {}), transfer_figures([transfer], district))
    totals: dict[tuple[str, str], dict[str, int]] = {}
    for district, figures in by_district.items():
        for unit in (("district", district), ("province", district[:2]), ("nation", "")):
            totals[unit] = add(totals.get(unit, {}), figures)
    return totals
