"""A stored case, typed: what was registered and everything the district has done since.

Every feature reads ``Case``, never a raw document; ``cases.docs`` maps it to and from MongoDB. Changes
are new ``Case`` values (``dataclasses.replace``) stored with their events by ``CaseRepository.change``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from contracts.access import CaseLocation
from registration.cases.model import Channel, Creditor, Debtor, Totals


class Status(StrEnum):
    """Where a case stands; the allowed moves between them are a table in ``casework.transitions``."""

    NEW = "new"
    CONTACTING = "contacting"
    WANTS_MEDIATION = "wants_mediation"
    DECLINED = "declined"
    UNREACHABLE = "unreachable"
    IN_MEDIATION = "in_mediation"
    RESOLVED = "resolved"
    NOT_RESOLVED = "not_resolved"
    REFERRED = "referred"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


@dataclass(frozen=True)
class ContactAttempt:
    method: str  # official_letter, phone, community_leader, home_visit, other
    result: str  # reached, not_reached, wrong_number, moved_away, letter_sent
    contacted_on: date
    by: str  # the officer's token subject
    at: datetime
    note: str | None = None
    letter_no: str | None = None


@dataclass(frozen=True)
class MediationSession:
    no: int
    scheduled_at: datetime
    place: str
    mediator: str
    state: str = "scheduled"  # scheduled, held, cancelled
    debtor_present: bool | None = None
    creditor_present: bool | None = None
    result: str | None = None  # agreement, no_agreement, creditor_absent, debtor_absent
    debt_before_satang: int | None = None
    debt_after_satang: int | None = None
    instalment_satang: int | None = None
    interest_bp_per_year: int | None = None
    terms: str | None = None


@dataclass(frozen=True)
class Referral:
    to: str  # police, prosecution, gsb, baac, jobs, training, legal_aid, other_help
    reason: str  # excessive_interest, threats, refinancing, livelihood, legal, other
    at: datetime
    by: str
    note: str | None = None


@dataclass(frozen=True)
class Transfer:
    to_province_code: str
    to_district_code: str
    requested_at: datetime
    requested_by: str
    reason: str | None = None
    state: str = "pending"  # pending, accepted, refused
    decided_at: datetime | None = None
    decided_by: str | None = None
    refusal_reason: str | None = None
    from_province_code: str | None = None
    from_district_code: str | None = None


@dataclass(frozen=True)
class TimelineEntry:
    """One thing done to the case: what (an event type), who (token subject and unit), when, and the
    details a page shows (codes and short notes; names of people stay in the case itself)."""

    at: datetime
    kind: str
    by: str
    by_unit: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    id: str
    receipt_no: str
    campaign: str
    revision: int
    channel: Channel
    province_code: str
    district_code: str
    debtor: Debtor
    creditors: tuple[Creditor, ...]
    totals: Totals
    created_at: datetime
    updated_at: datetime
    excessive_interest: bool = False
    unit_code: str | None = None
    officer_sub: str | None = None
    help_wanted: tuple[str, ...] = ()
    help_other: str | None = None
    paper_form_no: str | None = None
    paper_received_on: date | None = None
    # Casework: what the district has done.
    status: Status = Status.NEW
    assigned_to: str | None = None
    next_action_due: date | None = None
    contacts: tuple[ContactAttempt, ...] = ()
    decision: str | None = None  # wants_mediation, declined, unreachable
    sessions: tuple[MediationSession, ...] = ()
    referrals: tuple[Referral, ...] = ()
    closure_reason: str | None = None
    closure_note: str | None = None
    transfer: Transfer | None = None
    transfers: tuple[Transfer, ...] = ()  # decided ones, oldest first
    timeline: tuple[TimelineEntry, ...] = ()

    @property
    def location(self) -> CaseLocation:
        return CaseLocation(self.province_code, self.district_code, self.debtor.citizen_id, self.unit_code)

    @property
    def citizen_id(self) -> str:
        return self.debtor.citizen_id

    @property
    def subdistrict_code(self) -> str:
        return self.debtor.address.subdistrict_code

    @property
    def threatened(self) -> bool:
        return any(d.threatened for c in self.creditors for d in c.debts)

    @property
    def collateral_held(self) -> bool:
        return any(d.collateral or d.collateral_other for c in self.creditors for d in c.debts)

    @property
    def agreement(self) -> MediationSession | None:
        """The latest session that ended in an agreement."""
        return next((s for s in reversed(self.sessions) if s.result == "agreement"), None)

    @property
    def concluded(self) -> MediationSession | None:
        """The latest session with a result that ends mediation one way or the other."""
        return next((s for s in reversed(self.sessions) if s.result in ("agreement", "no_agreement")), None)

    def facts(self) -> dict[str, Any]:
        """The case's reporting snapshot, carried by every case event (codes, counts, amounts; no one's
        identity): consumers replace the case's previous figures with it."""
        agreement = self.agreement
        concluded = self.concluded
        return {
            "channel": self.channel.value,
            "creditor_count": self.totals.creditor_count,
            "debt_count": self.totals.debt_count,
            "principal_satang": self.totals.principal_satang,
            "outstanding_satang": self.totals.outstanding_satang,
            "excessive_interest": self.excessive_interest,
            "threatened": self.threatened,
            "collateral_held": self.collateral_held,
            "contacted": bool(self.contacts),
            "reached": any(c.result == "reached" for c in self.contacts),
            "decision": self.decision,
            "mediation_entered": any(s.state != "cancelled" for s in self.sessions),
            "mediation_result": concluded.result if concluded else None,
            "debt_before_satang": agreement.debt_before_satang if agreement else None,
            "debt_after_satang": agreement.debt_after_satang if agreement else None,
            "referrals": sorted({r.to for r in self.referrals}),
            "closure_reason": self.closure_reason,
        }
