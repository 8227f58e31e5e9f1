"""What one case adds to its unit's figures, and what one event adds to its unit's day. Pure: no I/O.

Casework events (and CaseRegistered/CaseUpdated from newer producers) carry the case's full reporting
snapshot after the change (``facts``), so a case's figures are a function of its latest event alone:
:func:`contribution`. Older producers' CaseRegistered/CaseUpdated carry counts only; what they do not
say is left at zero here and filled from older revisions by ``totals.cases``.

The daily series counts events, not cases: :func:`daily_counts` says what one event adds to its unit's
day (Asia/Bangkok) of ``occurred_at``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reporting.totals.events import (
    BANKS,
    CASE_EVENT_TYPES,
    DECISIONS,
    LAW,
    OTHER_HELP,
    REFERRALS,
    CaseSnapshot,
    Transfer,
    transfer_of,
    unit_of,
)
from reporting.totals.figures import plausible

# A referral's own figure, and its group's (police or prosecution; a bank; other help). "other_help" is the
# referral elsewhere: its own figure is "referred_other", since "referred_other_help" is the group's.
REFERRAL_FIGURES = {referral: f"referred_{referral}" for referral in REFERRALS} | {
    "other_help": "referred_other"}
REFERRAL_GROUPS = ({referral: "referred_law" for referral in LAW} | {referral: "referred_bank" for referral in BANKS}
                   | {referral: "referred_other_help" for referral in OTHER_HELP})


def contribution(case: CaseSnapshot) -> dict[str, int]:
    """What the case adds to the figures of the district it is in now (no zeros: only what it has is set)."""
    figures = {"registrants": 1}
    for name, value in (("creditors", case.creditor_count), ("debts", case.debt_count),
                        ("principal_satang", case.principal_satang), ("outstanding_satang", case.outstanding_satang)):
        if value:
            figures[name] = value
    if case.channel is not None:  # unknown only until the registration itself is seen
        figures[f"registrants_{case.channel}"] = 1
    facts = case.facts
    closed = case.status == "closed"
    if facts is not None:
        closed = closed or facts.closure_reason is not None
        if facts.contacted:
            figures["contacted"] = 1
        if facts.decision is not None:
            figures[DECISIONS[facts.decision]] = 1
        if facts.mediation_entered:
            figures["mediation_entered"] = 1
        if facts.mediation_result == "agreement":
            before, after = facts.debt_before_satang or 0, facts.debt_after_satang or 0
            figures["mediation_succeeded"] = 1
            # An agreement that raised the debt reduced nothing; before and after keep the real amounts.
            for name, value in (("debt_before_satang", before), ("debt_after_satang", after),
                                ("debt_reduced_satang", max(before - after, 0))):
                if value:
                    figures[name] = value
        elif facts.mediation_result == "no_agreement":
            figures["mediation_failed"] = 1
        for referral in facts.referrals:
            figures[REFERRAL_FIGURES[referral]] = 1
            figures[REFERRAL_GROUPS[referral]] = 1
        if facts.excessive_interest:
            figures["excessive_interest"] = 1
    if closed:
        figures["closed"] = 1
    return figures


def transfer_figures(transfers: Iterable[Transfer], district: str) -> dict[str, int]:
    figures: dict[str, int] = {}
    for transfer in transfers:
        for end, name in ((transfer.to_district, "in"), (transfer.from_district, "out")):
            if end == district:
                figures[f"transfers_{name}"] = figures.get(f"transfers_{name}", 0) + 1
                if transfer.crosses_province:
                    key = f"transfers_{name}_other_province"
                    figures[key] = figures.get(key, 0) + 1
    return figures


def daily_counts(event: Mapping[str, Any]) -> list[tuple[str, dict[str, int]]]:
    """What ``event`` adds to the day of its occurrence, as (district, figures) pairs: usually one, two
    for a transfer (in at the receiving district, out at the sending one), none for events that count
    nothing by the day (assignments, transfer requests)."""
    kind = event.get("event_type")
    if kind not in CASE_EVENT_TYPES:
        return []
    district, _ = unit_of(event)
    figures: dict[str, int] = {}
    match kind:
        case "CaseRegistered":
            figures["registrations"] = 1
        case "CaseContacted":
            figures["contacts"] = 1
        case "MediationDecisionRecorded":
            figures["decisions"] = 1
        case "MediationScheduled" if event.get("change") == "scheduled" and event.get("session_no") == 1:
            figures["mediations_entered"] = 1  # the first session scheduled: the case entered mediation
        case "MediationConcluded" if event.get("result") == "agreement":
            before = plausible("debt_before_satang", event["debt_before_satang"])
            after = plausible("debt_after_satang", event["debt_after_satang"])
            figures["mediations_succeeded"] = 1
            figures["debt_reduced_satang"] = max(before - after, 0)
        case "MediationConcluded" if event.get("result") == "no_agreement":
            figures["mediations_failed"] = 1
        case "CaseReferred":
            figures["referrals"] = 1
        case "CaseClosed":
            figures["closures"] = 1
        case "CaseReopened":
            figures["reopenings"] = 1
        case "CaseTransferred":
            transfer = transfer_of(event)
            assert transfer is not None
            if transfer.from_district == transfer.to_district:  # one row, so one happening: keep both counts
                return [(district, {"transfers_in": 1, "transfers_out": 1})]
            return [(transfer.to_district, {"transfers_in": 1}), (transfer.from_district, {"transfers_out": 1})]
    return [(district, figures)] if figures else []
