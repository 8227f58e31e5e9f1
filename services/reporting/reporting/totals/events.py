"""Reading case events: the case and transfer one event describes, checked against what a real case can be.
Pure: no I/O. Raises :class:`reporting.totals.figures.ImpossibleFigures` for anything no case can have."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from reporting.totals.figures import ImpossibleFigures, plausible

CHANNELS = ("self_online", "thaid_app", "desk", "paper")
DECISIONS = {"wants_mediation": "wants_mediation", "declined": "declined_mediation", "unreachable": "unreachable"}
LAW = ("police", "prosecution")
BANKS = ("gsb", "baac")
OTHER_HELP = ("jobs", "training", "legal_aid", "other_help")
REFERRALS = (*LAW, *BANKS, *OTHER_HELP)
_DECISION_OR_NONE = frozenset({*DECISIONS, None})
_RESULT_OR_NONE = frozenset({"agreement", "no_agreement", None})
_CHANNEL_OR_NONE = frozenset({*CHANNELS, None})
# Only these change a case's figures; AuditRecorded and the like are other topics' business.
CASE_EVENT_TYPES = frozenset({
    "CaseRegistered", "CaseUpdated", "CaseContacted", "MediationDecisionRecorded", "MediationScheduled",
    "MediationConcluded", "CaseReferred", "CaseAssigned", "CaseTransferRequested", "CaseTransferred",
    "CaseTransferRefused", "CaseClosed", "CaseReopened",
})


@dataclass(slots=True)  # a value, not frozen: see VALUE CLASSES in figures.py
class Facts:
    """The reporting facts of a case at one revision (the ``facts`` object of case-events), less the
    counts, which :class:`CaseSnapshot` holds so events without facts can still give them."""

    excessive_interest: bool
    contacted: bool
    decision: str | None
    mediation_entered: bool
    mediation_result: str | None
    debt_before_satang: int | None
    debt_after_satang: int | None
    referrals: tuple[str, ...]
    closure_reason: str | None

    def as_json(self) -> dict[str, Any]:
        return {"excessive_interest": self.excessive_interest, "contacted": self.contacted, "decision": self.decision,
                "mediation_entered": self.mediation_entered, "mediation_result": self.mediation_result,
                "debt_before_satang": self.debt_before_satang, "debt_after_satang": self.debt_after_satang,
                "referrals": list(self.referrals), "closure_reason": self.closure_reason}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Facts:
        # Positional, not **raw: read for every event from the stored record.
        return cls(raw["excessive_interest"], raw["contacted"], raw["decision"], raw["mediation_entered"],
                   raw["mediation_result"], raw["debt_before_satang"], raw["debt_after_satang"],
                   tuple(raw["referrals"]), raw["closure_reason"])


@dataclass(slots=True)  # a value, not frozen: see VALUE CLASSES in figures.py
class CaseSnapshot:
    """A case as one event describes it: where it is and its figures after the change."""

    case_id: str
    revision: int
    province_code: str
    district_code: str
    status: str | None  # None from older producers
    channel: str | None  # None when this event does not say (an older producer's CaseUpdated)
    creditor_count: int
    debt_count: int
    principal_satang: int
    outstanding_satang: int
    facts: Facts | None  # None from older producers: counts only

    def as_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "revision": self.revision, "province_code": self.province_code,
                "district_code": self.district_code, "status": self.status, "channel": self.channel,
                "creditor_count": self.creditor_count, "debt_count": self.debt_count,
                "principal_satang": self.principal_satang, "outstanding_satang": self.outstanding_satang,
                "facts": self.facts.as_json() if self.facts else None}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> CaseSnapshot:
        facts = raw["facts"]
        return cls(raw["case_id"], raw["revision"], raw["province_code"], raw["district_code"], raw["status"],
                   raw["channel"], raw["creditor_count"], raw["debt_count"], raw["principal_satang"],
                   raw["outstanding_satang"], Facts.from_json(facts) if facts is not None else None)


def _flag(raw: Mapping[str, Any], name: str) -> bool:
    value = raw[name]
    if not isinstance(value, bool):
        raise ImpossibleFigures(f"{name}={value!r} is not true/false")
    return value


def _maybe_amount(raw: Mapping[str, Any], name: str) -> int | None:
    value = raw[name]
    return None if value is None else plausible(name, value)


def _choice(name: str, value: object, allowed: Collection[str | None]) -> Any:
    if value not in allowed:
        raise ImpossibleFigures(f"{name}={value!r}")
    return value


def _facts(raw: Mapping[str, Any]) -> Facts:
    referrals = raw["referrals"]
    if not isinstance(referrals, list):
        raise ImpossibleFigures(f"referrals={referrals!r}")
    return Facts(
        excessive_interest=_flag(raw, "excessive_interest"),
        contacted=_flag(raw, "contacted"),
        decision=_choice("decision", raw["decision"], _DECISION_OR_NONE),
        mediation_entered=_flag(raw, "mediation_entered"),
        mediation_result=_choice("mediation_result", raw["mediation_result"], _RESULT_OR_NONE),
        debt_before_satang=_maybe_amount(raw, "debt_before_satang"),
        debt_after_satang=_maybe_amount(raw, "debt_after_satang"),
        referrals=tuple(sorted({_choice("referral", r, REFERRALS) for r in referrals})),
        closure_reason=raw["closure_reason"],
    )


def revision_of(event: Mapping[str, Any]) -> int:
    """CaseRegistered is revision 1 whether or not it says so; every later change adds one."""
    revision = event.get("revision", 1 if event["event_type"] == "CaseRegistered" else None)
    if revision is None or plausible("revision", revision) < 1:
        raise ImpossibleFigures(f"revision={revision!r}")
    return int(revision)


def unit_of(event: Mapping[str, Any], prefix: str = "") -> tuple[str, str]:
    """(district, province) of an event, checked: a DOPA district code starts with its province's."""
    district, province = event[f"{prefix}district_code"], event[f"{prefix}province_code"]
    if not (isinstance(district, str) and isinstance(province, str) and len(district) == 4
            and district.startswith(province) and len(province) == 2):
        raise ImpossibleFigures(f"{prefix}district_code={district!r} is not in {prefix}province_code={province!r}")
    return district, province


def snapshot_of(event: Mapping[str, Any]) -> CaseSnapshot | None:
    """The case as ``event`` leaves it; None for an event that is not about a case's figures.
    Raises :class:`ImpossibleFigures` for figures no case can have (or a field the contract requires
    missing: the codec validates first, so that is a bug upstream, refused all the same)."""
    if event.get("event_type") not in CASE_EVENT_TYPES:
        return None
    try:
        district, province = unit_of(event)
        raw_facts = event.get("facts")
        counts = raw_facts if raw_facts is not None else event  # the facts' counts win: they are the snapshot
        channel = raw_facts["channel"] if raw_facts is not None else event.get("channel")
        case_id = event["case_id"]
        if not isinstance(case_id, str) or not case_id:
            raise ImpossibleFigures(f"case_id={case_id!r}")
        return CaseSnapshot(
            case_id=case_id,
            revision=revision_of(event),
            province_code=province,
            district_code=district,
            status=event.get("status"),
            channel=_choice("channel", channel, _CHANNEL_OR_NONE),
            creditor_count=plausible("creditor_count", counts["creditor_count"]),
            debt_count=plausible("debt_count", counts["debt_count"]),
            principal_satang=plausible("principal_satang", counts["principal_satang"]),
            outstanding_satang=plausible("outstanding_satang", counts["outstanding_satang"]),
            facts=_facts(raw_facts) if raw_facts is not None else None,
        )
    except (KeyError, TypeError) as missing:
        raise ImpossibleFigures(f"{event.get('event_type')} without {missing}") from None


@dataclass(frozen=True, order=True)
class Transfer:
    """A CaseTransferred: counted at both ends, wherever the case goes afterwards."""

    revision: int
    from_district: str
    to_district: str

    @property
    def crosses_province(self) -> bool:
        return self.from_district[:2] != self.to_district[:2]


def transfer_of(event: Mapping[str, Any]) -> Transfer | None:
    if event.get("event_type") != "CaseTransferred":
        return None
    try:
        from_district, _ = unit_of(event, "from_")
        to_district, _ = unit_of(event)
    except (KeyError, TypeError) as missing:
        raise ImpossibleFigures(f"CaseTransferred without {missing}") from None
    return Transfer(revision_of(event), from_district, to_district)
