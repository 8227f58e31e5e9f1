"""Case histories as the registration service would publish them, the oracle their totals must equal, and the
pipeline without Faust (the same functions the agents call), for the tests of ``reporting.totals``.

The oracle: each case's latest revision counted once, in the district it is in now; each transfer at both
ends; each event once on its Bangkok day. Whatever the delivery (permuted, duplicated, re-sent after a
crash that lost any uncommitted write), the totals must equal it.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from contracts import codec, registry
from reporting.totals.cases import UnitChange, apply_case_event, change_from_json
from reporting.totals.contributions import contribution, daily_counts, transfer_figures
from reporting.totals.districts import Districts, TotalsRow
from reporting.totals.events import CHANNELS, REFERRALS, snapshot_of, transfer_of
from reporting.totals.figures import add, bangkok_day
from reporting.totals.rollup import RollUp, roll_up

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


def case4_events() -> list[Event]:
    """The examples of case c-...04: registration with facts through closure and reopening."""
    events = [e for t in registry.topic("case-events").events for _, e in registry.examples(t, 1)
              if e["case_id"].endswith("04")]
    return sorted(events, key=lambda e: e.get("revision", 1))


def transfer_case() -> tuple[Event, Event, Event]:
    requested = example("CaseTransferRequested", "to-nakhon-phanom.json")
    registered = example("CaseRegistered", "online.json") | {"case_id": requested["case_id"]}
    transferred = example("CaseTransferred", "from-sakon-nakhon.json")
    return registered, requested, transferred
