"""What one case adds to its unit's figures, and what one event adds to its unit's day. Pure: no I/O.

Casework events (and CaseRegistered/CaseUpdated from newer producers) carry the case's full reporting
snapshot after the change (``facts``), so a case's figures are a function of its latest event alone:
:func:`contribution`. Older producers' CaseRegistered/CaseUpdated carry counts only; what they do not
say is left at zero here and filled from older revisions by ``totals.apply``.

The daily series counts events, not cases: :func:`daily_counts` says what one event adds to its unit's
day (Asia/Bangkok) of ``occurred_at``.

Province and nation figures are sums of district figures, so every figure here is additive: a count of
cases, or an amount in satang. Names are stable: they are the keys of the ``totals`` topic's rows and of
the dashboards' columns, with Thai and English labels in :data:`FIGURES` and :data:`DAILY`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

NATION = "TH"
INT64_MAX = 2**63 - 1  # the widest integer every reader (BSON, Java, the database) stores without loss
BANGKOK = ZoneInfo("Asia/Bangkok")
CHANNELS = ("self_online", "thaid_app", "desk", "paper")
DECISIONS = {"wants_mediation": "wants_mediation", "declined": "declined_mediation", "unreachable": "unreachable"}
LAW = ("police", "prosecution")
BANKS = ("gsb", "baac")
OTHER_HELP = ("jobs", "training", "legal_aid", "other_help")
REFERRALS = (*LAW, *BANKS, *OTHER_HELP)
# Only these change a case's figures; AuditRecorded and the like are other topics' business.
CASE_EVENT_TYPES = frozenset({
    "CaseRegistered", "CaseUpdated", "CaseContacted", "MediationDecisionRecorded", "MediationScheduled",
    "MediationConcluded", "CaseReferred", "CaseAssigned", "CaseTransferRequested", "CaseTransferred",
    "CaseTransferRefused", "CaseClosed", "CaseReopened",
})

Figures = Mapping[str, int]


@dataclass(frozen=True)
class Label:
    th: str
    en: str
    satang: bool = False  # an amount of money in satang (the dashboards show baht); otherwise a count


# Per district (province and nation are sums). Counts are of cases, as they stand now.
FIGURES: dict[str, Label] = {
    "registrants": Label("ผู้ลงทะเบียน", "Registrants"),
    "registrants_self_online": Label("ลงทะเบียนออนไลน์ด้วยตนเอง", "Registered online"),
    "registrants_thaid_app": Label("ลงทะเบียนผ่านแอป ThaiD", "Registered through the ThaiD app"),
    "registrants_desk": Label("ลงทะเบียนที่ที่ว่าการอำเภอ", "Registered at a district desk"),
    "registrants_paper": Label("ลงทะเบียนด้วยแบบฟอร์มกระดาษ", "Registered on a paper form"),
    "creditors": Label("เจ้าหนี้ (ราย)", "Creditors"),
    "debts": Label("หนี้ (รายการ)", "Debts"),
    "principal_satang": Label("เงินต้น", "Principal", satang=True),
    "outstanding_satang": Label("มูลหนี้คงค้าง", "Outstanding debt", satang=True),
    "contacted": Label("ติดต่อลูกหนี้แล้ว", "Debtor contacted"),
    "wants_mediation": Label("ประสงค์ไกล่เกลี่ย", "Wants mediation"),
    "declined_mediation": Label("ไม่ประสงค์ไกล่เกลี่ย", "Declined mediation"),
    "unreachable": Label("ติดต่อไม่ได้", "Unreachable"),
    "mediation_entered": Label("เข้าสู่การไกล่เกลี่ย", "Entered mediation"),
    "mediation_succeeded": Label("ไกล่เกลี่ยสำเร็จ", "Mediation succeeded (agreement)"),
    "mediation_failed": Label("ไกล่เกลี่ยไม่สำเร็จ", "Mediation failed (no agreement)"),
    "debt_before_satang": Label("มูลหนี้ก่อนไกล่เกลี่ย", "Debt before mediation (agreements)", satang=True),
    "debt_after_satang": Label("มูลหนี้หลังไกล่เกลี่ย", "Debt after mediation (agreements)", satang=True),
    "debt_reduced_satang": Label("มูลหนี้ที่ลดลง", "Debt reduced (agreements)", satang=True),
    "referred_law": Label("ส่งต่อตำรวจหรืออัยการ", "Referred to police or prosecution"),
    "referred_police": Label("ส่งต่อตำรวจ", "Referred to police"),
    "referred_prosecution": Label("ส่งต่ออัยการ", "Referred to prosecution"),
    "referred_bank": Label("ส่งต่อธนาคาร (ออมสิน/ธ.ก.ส.)", "Referred to a bank (GSB/BAAC)"),
    "referred_gsb": Label("ส่งต่อธนาคารออมสิน", "Referred to GSB"),
    "referred_baac": Label("ส่งต่อ ธ.ก.ส.", "Referred to BAAC"),
    "referred_other_help": Label("ส่งต่อความช่วยเหลืออื่น", "Referred to other help"),
    "referred_jobs": Label("ส่งต่อหางาน", "Referred to jobs"),
    "referred_training": Label("ส่งต่อฝึกอาชีพ", "Referred to training"),
    "referred_legal_aid": Label("ส่งต่อช่วยเหลือทางกฎหมาย", "Referred to legal aid"),
    "referred_other": Label("ส่งต่ออื่น ๆ", "Referred elsewhere"),
    "excessive_interest": Label("ดอกเบี้ยเกินกฎหมาย", "Excessive interest"),
    "closed": Label("ปิดเรื่องแล้ว", "Closed"),
    # Transfers are counted where they happened (in at the receiving district, out at the sending one);
    # a province's own in/out are the *_other_province figures, since a move inside it is neither.
    "transfers_in": Label("รับโอน", "Transferred in"),
    "transfers_out": Label("โอนออก", "Transferred out"),
    "transfers_in_other_province": Label("รับโอนจากจังหวัดอื่น", "Transferred in from another province"),
    "transfers_out_other_province": Label("โอนออกไปจังหวัดอื่น", "Transferred out to another province"),
}

# Per district and Bangkok day: events of each kind that day (not cases).
DAILY: dict[str, Label] = {
    "registrations": Label("ลงทะเบียน", "Registrations"),
    "contacts": Label("การติดต่อ", "Contact attempts"),
    "decisions": Label("บันทึกความประสงค์", "Mediation decisions"),
    "mediations_entered": Label("เข้าสู่การไกล่เกลี่ย", "Entered mediation"),
    "mediations_succeeded": Label("ไกล่เกลี่ยสำเร็จ", "Mediations succeeded"),
    "mediations_failed": Label("ไกล่เกลี่ยไม่สำเร็จ", "Mediations failed"),
    "referrals": Label("ส่งต่อ", "Referrals"),
    "closures": Label("ปิดเรื่อง", "Closures"),
    "reopenings": Label("เปิดเรื่องใหม่", "Reopenings"),
    "transfers_in": Label("รับโอน", "Transferred in"),
    "transfers_out": Label("โอนออก", "Transferred out"),
    "debt_reduced_satang": Label("มูลหนี้ที่ลดลง", "Debt reduced", satang=True),
}


class ImpossibleFigures(ValueError):
    """An event or total no real case or unit can have: a figure negative, not an integer (JSON Schema's
    "integer" also admits 1e20), beyond int64, or a district outside its province. Refused and counted,
    never applied."""


def plausible(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INT64_MAX:
        raise ImpossibleFigures(f"{name}={value!r} ({type(value).__name__})")
    return value


def checked(figures: Figures, names: Mapping[str, Label] = FIGURES) -> dict[str, int]:
    """``figures`` if every name is known and every value plausible (a sum can pass int64 even when each
    part is fine); raises :class:`ImpossibleFigures` otherwise."""
    unknown = set(figures) - set(names)
    if unknown:
        raise ImpossibleFigures(f"unknown figures {sorted(unknown)}")
    return {name: plausible(name, value) for name, value in figures.items()}


def add(*parts: Figures) -> dict[str, int]:
    """The sum, without zeros (rows stay small; a missing figure is zero). On every event's path: written
    for speed (the first part copied, not added to an empty dict)."""
    if not parts:
        return {}
    total = dict(parts[0])
    get = total.get
    for part in parts[1:]:
        for name, value in part.items():
            total[name] = get(name, 0) + value
    return {name: value for name, value in total.items() if value}


def diff(old: Figures, new: Figures) -> dict[str, int]:
    """``new - old``, without zeros."""
    total = dict(new)
    get = total.get
    for name, value in old.items():
        total[name] = get(name, 0) - value
    return {name: value for name, value in total.items() if value}


def bangkok_day(occurred_at: str) -> str:
    """The Asia/Bangkok calendar day of an event, as YYYY-MM-DD (the day DOPA reports it under)."""
    moment = datetime.fromisoformat(occurred_at)
    if moment.tzinfo is None:
        raise ImpossibleFigures(f"occurred_at without a time zone: {occurred_at!r}")
    return moment.astimezone(BANGKOK).date().isoformat()


@dataclass(frozen=True)
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
        return {**self.__dict__, "referrals": list(self.referrals)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Facts:
        return cls(**{**raw, "referrals": tuple(raw["referrals"])})


@dataclass(frozen=True)
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
        return {**self.__dict__, "facts": self.facts.as_json() if self.facts else None}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> CaseSnapshot:
        facts = raw["facts"]
        return cls(**{**raw, "facts": Facts.from_json(facts) if facts is not None else None})


def _flag(raw: Mapping[str, Any], name: str) -> bool:
    value = raw[name]
    if not isinstance(value, bool):
        raise ImpossibleFigures(f"{name}={value!r} is not true/false")
    return value


def _maybe_amount(raw: Mapping[str, Any], name: str) -> int | None:
    value = raw[name]
    return None if value is None else plausible(name, value)


def _choice(name: str, value: object, allowed: Iterable[str | None]) -> Any:
    if value not in tuple(allowed):
        raise ImpossibleFigures(f"{name}={value!r}")
    return value


def _facts(raw: Mapping[str, Any]) -> Facts:
    referrals = raw["referrals"]
    if not isinstance(referrals, list):
        raise ImpossibleFigures(f"referrals={referrals!r}")
    return Facts(
        excessive_interest=_flag(raw, "excessive_interest"),
        contacted=_flag(raw, "contacted"),
        decision=_choice("decision", raw["decision"], (*DECISIONS, None)),
        mediation_entered=_flag(raw, "mediation_entered"),
        mediation_result=_choice("mediation_result", raw["mediation_result"], ("agreement", "no_agreement", None)),
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
            channel=_choice("channel", channel, (*CHANNELS, None)),
            creditor_count=plausible("creditor_count", counts["creditor_count"]),
            debt_count=plausible("debt_count", counts["debt_count"]),
            principal_satang=plausible("principal_satang", counts["principal_satang"]),
            outstanding_satang=plausible("outstanding_satang", counts["outstanding_satang"]),
            facts=_facts(raw_facts) if raw_facts is not None else None,
        )
    except (KeyError, TypeError) as missing:
        raise ImpossibleFigures(f"{event.get('event_type')} without {missing}") from None


def contribution(case: CaseSnapshot) -> dict[str, int]:
    """What the case adds to the figures of the district it is in now (no zeros)."""
    figures = {
        "registrants": 1,
        "creditors": case.creditor_count,
        "debts": case.debt_count,
        "principal_satang": case.principal_satang,
        "outstanding_satang": case.outstanding_satang,
    }
    if case.channel is not None:  # unknown only until the registration itself is seen
        figures[f"registrants_{case.channel}"] = 1
    facts = case.facts
    closed = case.status == "closed"
    if facts is not None:
        closed = closed or facts.closure_reason is not None
        figures["contacted"] = int(facts.contacted)
        if facts.decision is not None:
            figures[DECISIONS[facts.decision]] = 1
        figures["mediation_entered"] = int(facts.mediation_entered)
        if facts.mediation_result == "agreement":
            before, after = facts.debt_before_satang or 0, facts.debt_after_satang or 0
            figures["mediation_succeeded"] = 1
            figures["debt_before_satang"] = before
            figures["debt_after_satang"] = after
            # An agreement that raised the debt reduced nothing; before and after keep the real amounts.
            figures["debt_reduced_satang"] = max(before - after, 0)
        elif facts.mediation_result == "no_agreement":
            figures["mediation_failed"] = 1
        for referral in facts.referrals:
            figures[f"referred_{referral}"] = 1
        figures["referred_law"] = int(any(r in LAW for r in facts.referrals))
        figures["referred_bank"] = int(any(r in BANKS for r in facts.referrals))
        figures["referred_other_help"] = int(any(r in OTHER_HELP for r in facts.referrals))
        figures["excessive_interest"] = int(facts.excessive_interest)
    figures["closed"] = int(closed)
    return {name: value for name, value in figures.items() if value}


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
