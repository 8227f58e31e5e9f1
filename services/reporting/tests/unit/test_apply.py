"""Idempotent application of case events to district, province and national totals (reporting.totals.apply).

The oracle: each case's latest revision counted once, in the district it is in now; each transfer at both
ends; each event once on its Bangkok day. Whatever the delivery (permuted, duplicated, re-sent after a
crash that lost any uncommitted write), the totals must equal it.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import codec, registry
from reporting.totals.apply import (
    BUCKETS,
    Bucket,
    CaseRecord,
    DayRow,
    Districts,
    Happening,
    RollUp,
    Statement,
    TotalsRow,
    UnitChange,
    UnitTotals,
    apply_case_event,
    bucket_key,
    bucket_of,
    change_from_json,
    on_case_event,
    roll_up,
)
from reporting.totals.figures import (
    CHANNELS,
    NATION,
    REFERRALS,
    ImpossibleFigures,
    add,
    bangkok_day,
    contribution,
    daily_counts,
    snapshot_of,
    transfer_figures,
    transfer_of,
)

Event = dict[str, Any]
ICT = timezone(timedelta(hours=7))
DISTRICTS = ("4701", "4702", "4801", "1001")  # two in Sakon Nakhon, one in Nakhon Phanom, one in Bangkok
START = datetime(2026, 12, 1, 8, 0, tzinfo=ICT)


def example(event_type: str, name: str) -> Event:
    return copy.deepcopy(dict(registry.examples(event_type, 1))[name])


# --- case histories as the registration service would publish them -------------------------------------


def _facts(state: dict[str, Any]) -> dict[str, Any]:
    return {**{k: state[k] for k in ("channel", "creditor_count", "debt_count", "principal_satang",
                                     "outstanding_satang", "excessive_interest", "threatened", "collateral_held",
                                     "contacted", "reached", "decision", "mediation_entered", "mediation_result",
                                     "debt_before_satang", "debt_after_satang", "closure_reason")},
            "referrals": sorted(state["referrals"])}


@st.composite
def histories(draw: st.DrawFn, case_no: int) -> list[Event]:
    """One case's events, revision 1..n, each valid against its contract."""
    case_id = f"c-{case_no:03d}"
    legacy = draw(st.booleans())  # an older producer: registration and updates without facts
    district = draw(st.sampled_from(DISTRICTS))
    debts = draw(st.integers(0, 4))
    principal = draw(st.integers(0, 10**9))
    state: dict[str, Any] = {
        "channel": draw(st.sampled_from(CHANNELS)), "creditor_count": draw(st.integers(0, 3)), "debt_count": debts,
        "principal_satang": principal, "outstanding_satang": principal + draw(st.integers(0, 10**8)),
        "excessive_interest": draw(st.booleans()), "threatened": False, "collateral_held": False,
        "contacted": False, "reached": False, "decision": None, "mediation_entered": False,
        "mediation_result": None, "debt_before_satang": None, "debt_after_satang": None, "referrals": set(),
        "closure_reason": None, "status": "new",
    }
    moment = START + timedelta(minutes=draw(st.integers(0, 60 * 24 * 3)))
    events: list[Event] = []

    def emit(event_type: str, with_facts: bool = True, **fields: Any) -> None:
        revision = len(events) + 1
        event: Event = {
            "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{case_id}/{revision}")), "event_type": event_type,
            "schema_version": 1, "occurred_at": moment.isoformat(), "case_id": case_id,
            "province_code": district[:2], "district_code": district, **fields,
        }
        if event_type != "CaseRegistered":
            event["revision"] = revision
        if with_facts:
            event["status"] = state["status"]
            event["facts"] = _facts(state)
        codec.validate_for_produce(event)
        events.append(event)

    def counts() -> dict[str, int]:
        return {k: state[k] for k in ("creditor_count", "debt_count", "principal_satang", "outstanding_satang")}

    emit("CaseRegistered", not legacy, channel=state["channel"], unit_code=None, **counts())
    sessions = 0
    for step in draw(st.lists(st.sampled_from(["update", "contact", "decide", "schedule", "conclude", "refer",
                                               "close", "reopen", "transfer", "assign"]), max_size=8)):
        moment += timedelta(hours=draw(st.integers(1, 40)))
        match step:
            case "update":
                state["debt_count"] += 1
                state["principal_satang"] += 1000
                state["outstanding_satang"] += 1500
                emit("CaseUpdated", not legacy, change="debts_added", **counts())
            case "contact":
                state["contacted"], state["reached"], state["status"] = True, draw(st.booleans()), "contacting"
                emit("CaseContacted", method="phone", result="reached" if state["reached"] else "not_reached",
                     contacted_on=moment.date().isoformat(), attempt_no=1)
            case "decide":
                state["decision"] = state["status"] = draw(st.sampled_from(["wants_mediation", "declined",
                                                                            "unreachable"]))
                emit("MediationDecisionRecorded", decision=state["decision"])
            case "schedule":
                sessions += 1
                state["mediation_entered"], state["status"] = True, "in_mediation"
                emit("MediationScheduled", session_no=sessions, scheduled_at=(moment + timedelta(days=7)).isoformat(),
                     change=draw(st.sampled_from(["scheduled", "rescheduled"])))
            case "conclude":
                result = draw(st.sampled_from(["agreement", "no_agreement", "creditor_absent"]))
                before = state["outstanding_satang"]
                after = draw(st.integers(0, before + 1000)) if result == "agreement" else None
                if result != "creditor_absent":
                    state["mediation_result"] = result
                    state["debt_before_satang"], state["debt_after_satang"] = (before, after) if after is not None \
                        else (None, None)
                    state["status"] = "resolved" if result == "agreement" else "not_resolved"
                emit("MediationConcluded", session_no=max(sessions, 1), result=result, debt_before_satang=before,
                     debt_after_satang=after)
            case "refer":
                referral = draw(st.sampled_from(REFERRALS))
                state["referrals"].add(referral)
                emit("CaseReferred", referral=referral, reason="other")
            case "close":
                state["closure_reason"], state["status"] = draw(st.sampled_from(["resolved", "withdrawn"])), "closed"
                emit("CaseClosed", reason=state["closure_reason"])
            case "reopen":
                state["closure_reason"], state["status"] = None, "contacting"
                emit("CaseReopened")
            case "transfer":
                old = district
                district = draw(st.sampled_from([d for d in DISTRICTS if d != old]))
                emit("CaseTransferred", from_province_code=old[:2], from_district_code=old)
            case "assign":
                emit("CaseAssigned", assigned=True)
    return events


@st.composite
def deliveries(draw: st.DrawFn, max_cases: int = 6) -> tuple[list[list[Event]], list[Event]]:
    """Histories of a few cases, and a delivery of their events: permuted, some more than once."""
    cases = [draw(histories(n)) for n in range(draw(st.integers(1, max_cases)))]
    every = [event for history in cases for event in history]
    again = draw(st.lists(st.sampled_from(every), max_size=len(every)))
    return cases, draw(st.permutations(every + again))


# --- the oracle: recomputed from each case's latest event, without the record or the buckets -------------


def expected(cases: Iterable[list[Event]]) -> RollUp:
    """District totals and day rows as published once, from scratch, rolled up the same way."""
    totals: dict[str, dict[str, int]] = {}
    days: dict[tuple[str, str], dict[str, int]] = {}
    for history in cases:
        latest = snapshot_of(history[-1])
        with_facts = [s for s in map(snapshot_of, history) if s is not None and s.facts is not None]
        assert latest is not None
        case = replace(latest, facts=latest.facts or (with_facts[-1].facts if with_facts else None),
                       channel=latest.channel or snapshot_of(history[0]).channel)  # type: ignore[union-attr]
        totals[case.district_code] = add(totals.get(case.district_code, {}), contribution(case))
        transfers = [t for t in map(transfer_of, history) if t is not None]
        for district in {end for t in transfers for end in (t.from_district, t.to_district)}:
            totals[district] = add(totals.get(district, {}), transfer_figures(transfers, district))
        for event in history:
            for district, figures in daily_counts(event):
                key = (district, bangkok_day(event["occurred_at"]))
                days[key] = add(days.get(key, {}), figures)
    return roll_up([*(TotalsRow(d, None, 1, f) for d, f in totals.items()),
                    *(TotalsRow(d, day, 1, f) for (d, day), f in days.items())])


def assert_same_totals(got: RollUp, want: RollUp) -> None:
    units = {(level, code, day) for (level, code, day) in [*got.sums, *want.sums]}
    for level, code, day in sorted(units, key=str):
        assert got.figures(level, code, day) == want.figures(level, code, day), (level, code, day)
    for figures in got.sums.values():
        assert all(value > 0 for value in figures.values())  # never negative (and no zeros kept)


# --- the pipeline without Faust: the same functions the agents call ------------------------------------


def run_cases(delivery: Iterable[Event], records: dict[str, Any] | None = None) -> list[UnitChange]:
    records = {} if records is None else records
    sent: list[UnitChange] = []
    for event in delivery:
        result = apply_case_event(records, event)
        assert result is not None
        sent.extend(result[1])
    return sent


def run_districts(changes: Iterable[UnitChange], districts: Districts | None = None) -> list[TotalsRow]:
    districts = districts or Districts({}, {})
    return [districts.apply(change_from_json(change.as_json()))[1] for change in changes]  # through JSON, as Kafka


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries(), st.randoms(use_true_random=False))
def test_any_permutation_with_duplicates_gives_the_totals_of_each_cases_latest_revision(
        drawn: tuple[list[list[Event]], list[Event]], rnd: random.Random) -> None:
    cases, delivery = drawn
    changes = run_cases(delivery)
    rnd.shuffle(changes)  # the second hop in another order again, some twice
    rows = run_districts(changes + rnd.sample(changes, len(changes) // 3))
    rnd.shuffle(rows)  # and readers of the totals topic too
    assert_same_totals(roll_up(rows + rows[: len(rows) // 2]), expected(cases))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries(max_cases=4))
def test_applying_the_same_delivery_again_changes_nothing(drawn: tuple[list[list[Event]], list[Event]]) -> None:
    """A replay from the start of the topic over the stored tables."""
    _cases, delivery = drawn
    records: dict[str, Any] = {}
    districts = Districts({}, {})
    first = run_districts(run_cases(delivery, records), districts)
    stored = (copy.deepcopy(records), copy.deepcopy(districts.buckets), copy.deepcopy(districts.days))
    again = run_districts(run_cases(delivery, records), districts)
    assert (records, districts.buckets, districts.days) == stored
    latest = {row.key: row for row in first}
    assert all(row.version <= latest[row.key].version for row in again)
    assert_same_totals(roll_up(again), roll_up(first))


# --- crashes: any uncommitted write or record may be lost, then everything uncommitted runs again --------


def crash(log: Sequence[Any], step: Callable[[Any], list[Any]], stores: Sequence[MutableMapping[str, Any]],
          rnd: random.Random, *, on_restart: Callable[[], None] = lambda: None, crashes: int = 4) -> list[Any]:
    """Runs ``step`` over ``log`` like a worker that is killed now and then. It works in batches; a batch is
    committed only once its writes and records are on the broker (AckWhenDurable), or the worker dies first:
    then every key it wrote is left at *any* value it took since the commit (the changelog and the local store
    each kept some writes, not others), each record it sent survives or not, and the worker restarts from the
    commit. Returns every record that reached the broker, in order."""
    delivered: list[Any] = []
    position = 0
    while position < len(log):
        end = rnd.randint(position + 1, len(log))
        since = [{key: [copy.deepcopy(value)] for key, value in store.items()} for store in stores]
        sent: list[Any] = []
        for item in log[position:end]:
            sent.extend(step(item))
            for store, values in zip(stores, since, strict=True):
                for key, value in store.items():
                    values.setdefault(key, [None]).append(copy.deepcopy(value))
        if crashes == 0 or rnd.random() < 0.5:
            delivered.extend(sent)  # durable, then committed
            position = end
            continue
        crashes -= 1
        for store, values in zip(stores, since, strict=True):
            store.clear()
            for key, taken in values.items():
                kept = rnd.choice(taken)
                if kept is not None:
                    store[key] = kept
        delivered.extend(record for record in sent if rnd.random() < 0.5)
        on_restart()
    return delivered


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries(max_cases=4), st.randoms(use_true_random=False))
def test_killed_workers_on_both_hops_still_count_everything_once(
        drawn: tuple[list[list[Event]], list[Event]], rnd: random.Random) -> None:
    cases, delivery = drawn
    records: dict[str, Any] = {}

    def cases_step(event: Event) -> list[UnitChange]:
        result = apply_case_event(records, event)
        assert result is not None
        return result[1]

    changes = crash(delivery, cases_step, [records], rnd)
    districts = Districts({}, {})
    rows = crash(changes, lambda change: [districts.apply(change)[1]], [districts.buckets, districts.days], rnd,
                 on_restart=districts.forget)  # a restarted worker has no sums in memory
    rnd.shuffle(rows)
    assert_same_totals(roll_up(rows), expected(cases))


def test_the_crash_model_does_lose_writes_and_records() -> None:
    """Guards the test above against a model too kind to fail: a plain counter is not idempotent, and the
    model must break it for some seed."""
    broken = 0
    for seed in range(30):
        counter: dict[str, Any] = {}

        def step(item: int, counter: dict[str, Any] = counter) -> list[int]:
            counter["n"] = counter.get("n", 0) + 1
            return [item]

        delivered = crash(list(range(10)), step, [counter], random.Random(seed))  # noqa: S311  # a model, not a secret
        assert set(delivered) == set(range(10))  # every record arrives at least once
        broken += counter.get("n") != 10
    assert broken


# --- the pieces, on known events ----------------------------------------------------------------------


def _case4() -> list[Event]:
    """The examples of case c-...04: registration with facts through closure and reopening."""
    events = [e for t in registry.topic("case-events").events for _, e in registry.examples(t, 1)
              if e["case_id"].endswith("04")]
    return sorted(events, key=lambda e: e.get("revision", 1))


def test_the_examples_of_one_case_in_order_reversed_and_twice_give_its_latest_figures() -> None:
    events = _case4()
    assert [e.get("revision", 1) for e in events] == list(range(1, 13))
    for delivery in (events, events[::-1], events + events[3:7]):
        records: dict[str, Any] = {}
        run_cases(delivery, records)
        record = CaseRecord.from_json(records[events[0]["case_id"]])
        assert record.version == 12 and record.latest.revision == 12
        assert contribution(record.current()) == contribution(snapshot_of(events[-1]))  # type: ignore[arg-type]


def test_a_redelivered_event_changes_nothing_but_is_stored_and_sent_again() -> None:
    event = example("CaseContacted", "phone-reached.json")
    records: dict[str, Any] = {}
    first = apply_case_event(records, event)
    stored = copy.deepcopy(records)
    records.clear()
    records.update(copy.deepcopy(stored))
    again = apply_case_event(records, event)
    assert first is not None and again is not None
    assert (first[0], again[0]) == (True, False)
    assert again[1] == first[1] and records == stored


def test_an_older_revision_after_a_newer_one_does_not_roll_the_case_back() -> None:
    newer, older = example("CaseClosed", "resolved.json"), example("CaseReferred", "gsb-refinancing.json")
    record, _ = on_case_event(None, newer) or (None, [])
    assert record is not None
    record2, sent = on_case_event(record, older) or (None, [])
    assert record2 is not None and record2.latest.revision == 11 and record2.version == 2
    statement = next(s for s in sent if isinstance(s, Statement))
    assert statement.figures["closed"] == 1 and statement.version == 2
    happening = next(s for s in sent if isinstance(s, Happening))
    assert happening.figures == {"referrals": 1} and happening.revision == 10  # its day still counts it


def _transfer_case() -> tuple[Event, Event, Event]:
    requested = example("CaseTransferRequested", "to-nakhon-phanom.json")
    registered = example("CaseRegistered", "online.json") | {"case_id": requested["case_id"]}
    transferred = example("CaseTransferred", "from-sakon-nakhon.json")
    return registered, requested, transferred


def test_a_transfer_moves_the_case_between_provinces_and_counts_both_ends() -> None:
    rollup = roll_up(run_districts(run_cases(_transfer_case())))
    assert rollup.figures("district", "4701") == {"transfers_out": 1, "transfers_out_other_province": 1}
    assert rollup.figures("province", "47") == {"transfers_out": 1, "transfers_out_other_province": 1}
    moved = rollup.figures("province", "48")
    assert moved["registrants"] == 1 and moved["outstanding_satang"] == 2100000
    assert moved["transfers_in"] == moved["transfers_in_other_province"] == 1
    assert rollup.figures("nation", NATION)["registrants"] == 1
    assert rollup.figures("district", "4701", "2026-12-07") == {"transfers_out": 1}
    assert rollup.figures("district", "4801", "2026-12-07") == {"transfers_in": 1}


def test_a_case_seen_in_a_new_district_before_its_transfer_is_taken_from_the_old_one() -> None:
    registered, requested, transferred = _transfer_case()
    later = example("CaseContacted", "phone-reached.json") | {
        "case_id": transferred["case_id"], "revision": 4, "province_code": "48", "district_code": "4801"}
    for delivery in ([registered, later], [registered, later, transferred, requested],
                     [later, transferred, registered]):
        rollup = roll_up(run_districts(run_cases(delivery)))
        assert "registrants" not in rollup.figures("district", "4701"), delivery
        assert rollup.figures("district", "4801")["registrants"] == 1


def test_an_older_producers_update_keeps_the_channel_and_facts_it_does_not_send() -> None:
    registered = example("CaseRegistered", "thaid-with-facts.json")
    update = example("CaseUpdated", "creditor-added.json") | {"case_id": registered["case_id"], "revision": 3}
    for delivery in ([registered, update], [update, registered]):
        records: dict[str, Any] = {}
        run_cases(delivery, records)
        case = CaseRecord.from_json(records[registered["case_id"]]).current()
        figures = contribution(case)
        assert figures["registrants_thaid_app"] == 1 and figures["excessive_interest"] == 1
        assert figures["creditors"] == 3  # the counts are the newer event's


def test_an_impossible_event_changes_nothing() -> None:
    event = example("CaseContacted", "phone-reached.json")
    event["facts"]["principal_satang"] = -5
    records: dict[str, Any] = {}
    with pytest.raises(ImpossibleFigures):
        apply_case_event(records, event)
    assert records == {}
    assert apply_case_event(records, {"event_type": "AuditRecorded", "case_id": "x"}) is None


def test_records_buckets_and_day_rows_survive_json() -> None:
    events = _case4()
    records: dict[str, Any] = {}
    changes = run_cases([*events, *_transfer_case()], records)
    for raw in records.values():
        assert CaseRecord.from_json(raw).as_json() == raw
    districts = Districts({}, {})
    run_districts(changes, districts)
    for raw in districts.buckets.values():
        assert Bucket.from_json(raw).as_json() == raw
    for raw in districts.days.values():
        assert DayRow.from_json(raw).as_json() == raw
    for change in changes:
        assert change_from_json(change.as_json()) == change


@pytest.mark.parametrize("raw", [
    {"kind": "case", "case_id": "c", "version": 1, "district": "4701", "figures": {"registrants": -1}},
    {"kind": "case", "case_id": "c", "version": 1, "district": "4701", "figures": {"registrations": 1}},
    {"kind": "day", "case_id": "c", "revision": 1, "district": "4701", "day": "2026-12-01"},
    {"kind": "total", "district": "4701"},
])
def test_a_broken_unit_change_is_refused(raw: dict[str, Any]) -> None:
    with pytest.raises(ImpossibleFigures):
        change_from_json(raw)


def test_a_bucket_keeps_each_cases_latest_statement_and_their_sum() -> None:
    bucket = Bucket()
    bucket = bucket.apply(Statement("a", 1, "4701", {"registrants": 1, "debts": 2}))
    bucket = bucket.apply(Statement("b", 1, "4701", {"registrants": 1}))
    newer = bucket.apply(Statement("a", 3, "4701", {"registrants": 1, "debts": 5}))
    assert newer.totals == {"registrants": 2, "debts": 5} and newer.version == 4
    assert newer.apply(Statement("a", 2, "4701", {"registrants": 1})) is newer  # older: ignored
    assert newer.apply(Statement("a", 3, "4701", {"registrants": 1, "debts": 5})) is newer  # again: ignored
    gone = newer.apply(Statement("a", 4, "4701", {}))  # the case left the district
    assert gone.totals == {"registrants": 1}


def test_district_sums_notice_a_bucket_they_did_not_sum() -> None:
    districts = Districts({}, {})
    case_ids = [f"c-{n}" for n in range(200)]
    for case_id in case_ids:
        districts.apply(Statement(case_id, 1, "4701", {"registrants": 1}))
    assert len({bucket_of(c) for c in case_ids}) > BUCKETS // 2  # spread over many buckets
    # Another worker, before a rebalance, moved one case on; this one's sums never saw that bucket change.
    key = bucket_key("4701", bucket_of("c-7"))
    districts.buckets[key] = Bucket.from_json(districts.buckets[key]).apply(
        Statement("c-7", 5, "4701", {"registrants": 1, "debts": 9})).as_json()
    sums = districts.sums["4701"]
    stale = Bucket.from_json(districts.buckets[key])
    assert not sums.replace(bucket_of("c-7"), stale, stale)
    _, row = districts.apply(Statement("c-7", 6, "4701", {"registrants": 1, "debts": 10}))
    assert row.figures == {"registrants": 200, "debts": 10}
    assert row.version == 200 - 1 + 6


def test_unit_totals_from_stored_buckets() -> None:
    buckets = {0: Bucket().apply(Statement("a", 2, "4701", {"debts": 2})),
               5: Bucket().apply(Statement("b", 1, "4701", {"debts": 1}))}
    totals = UnitTotals("4701", buckets)
    assert totals.row() == TotalsRow("4701", None, 3, {"debts": 3})


def test_a_districts_row_drops_the_figures_its_cases_no_longer_give() -> None:
    districts = Districts({}, {})
    districts.apply(Statement("a", 1, "4701", {"registrants": 1, "debts": 2}))
    districts.apply(Statement("b", 1, "4701", {"registrants": 1}))
    _, row = districts.apply(Statement("a", 2, "4701", {}))  # a moved away: its figures go, no zeros stay
    assert row == TotalsRow("4701", None, 3, {"registrants": 1})
    _, row = districts.apply(Statement("a", 3, "4701", {"registrants": 1, "closures": 1}))
    assert row == TotalsRow("4701", None, 4, {"registrants": 2, "closures": 1})
    assert row.figures == UnitTotals("4701", {n: Bucket.from_json(districts.buckets.get(bucket_key("4701", n)))
                                              for n in range(BUCKETS)}).row().figures


def test_a_day_row_counts_each_happening_once() -> None:
    happening = Happening("a", 3, "4701", "2026-12-04", {"contacts": 1})
    row = DayRow().apply(happening).apply(Happening("b", 2, "4701", "2026-12-04", {"contacts": 1}))
    assert row.apply(happening) is row
    assert row.totals == {"contacts": 2} and row.version == 2


def test_the_roll_up_keeps_each_districts_newest_row() -> None:
    rollup = RollUp()
    assert rollup.apply(TotalsRow("4701", None, 2, {"registrants": 2}))
    assert rollup.apply(TotalsRow("4702", None, 1, {"registrants": 1}))
    assert not rollup.apply(TotalsRow("4701", None, 1, {"registrants": 1}))  # older, read late
    assert not rollup.apply(TotalsRow("4701", None, 2, {"registrants": 2}))  # again
    assert rollup.apply(TotalsRow("4701", None, 3, {"registrants": 1}))
    assert rollup.apply(TotalsRow("4801", "2026-12-04", 1, {"contacts": 1}))
    assert rollup.figures("province", "47") == {"registrants": 2}
    assert rollup.figures("nation", NATION) == {"registrants": 2}
    assert rollup.figures("nation", NATION, "2026-12-04") == {"contacts": 1}
    assert rollup.days("province", "48") == ["2026-12-04"]
    assert TotalsRow.from_json(TotalsRow("4801", "2026-12-04", 1, {"contacts": 1}).as_json()).key == \
        "district:4801:2026-12-04"
