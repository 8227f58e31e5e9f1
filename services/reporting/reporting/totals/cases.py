"""Applying case events to per-case records, idempotent by design: the join each stored case value rests on,
and what a record tells each district. Pure: the worker (``reporting.streams``) applies batches through
``reporting.totals.batch``, which calls :func:`merge` and :func:`statements`; the per-partition district sums
and the rows they publish are ``reporting.totals.partials`` (whose docstring carries the argument below on
to them). Province and national totals are summed by ``reporting.totals.rollup``.

The path of an event::

    case-events (key case_id) ──> one stored value per case: CaseRecord + statements + happenings
        ──> per-partition sums by district and by (district, month)   (in memory, derived from those values)
        ──> rows on the compacted totals topic ──> RollUp: district, province and nation as sums of rows

Why it counts every event exactly once without Kafka transactions
----------------------------------------------------------------
1. **Every stored value is a join.** A :class:`CaseRecord` is the join (least upper bound) of the case's
   events seen so far: the snapshot of the highest revision, the set of revisions, the districts it has
   been in, its transfers; the happenings beside it are added per revision the record did not have.
   ``merge`` is idempotent, commutative and associative, so a redelivered, replayed or out-of-order input
   changes nothing it should not, in any order, any number of times.
2. **No value depends on another key.** Unit totals are not kept as running sums beside per-case state
   (two keys that a crash can leave out of step: one written, the other lost). They are derived in memory
   from the case values (``partials.Partials``) and rebuilt from them whenever they cannot vouch for them.
3. **What is sent is absolute and versioned.** A :class:`Statement` says "case C at version V adds F to
   district D" (F empty once the case has left D), never "add ΔF"; its version is the number of
   revisions the record has seen, which grows with every change. A record states its figures for *every*
   district it has been in, so the old district loses a transferred case whatever the order. A row of the
   totals topic carries a state with a version (the sum of its case versions, or the number of happenings);
   readers keep the highest (``rollup.RollUp``).
4. **Every processing re-stores and re-sends.** A batch writes each case value it touched and publishes
   each row it touched even when the join changed nothing, and acks its inputs only after the broker has
   acknowledged all of it (``reporting.totals.durable``). So whatever a crash loses belongs to an input that
   is not yet committed, and will be processed again; whatever it keeps is a join the re-processing cannot
   inflate.

Hence after a redelivery, a SIGKILL between any two steps, a rebalance or a replay from the start, each
value converges to the join of all inputs and each reader to the final row: every case counted once, at
its latest revision, in the district it is in now; every event counted once on its day.

Assumptions, named: a revision names one event (a redelivery carries the same content; ties are broken
deterministically all the same); one writer per partition at a time (a zombie worker after a rebalance
could overwrite a newer changelog value, the case Kafka fences only with transactions; reconciliation
against the registration service is the backstop).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from reporting.totals.contributions import contribution, transfer_figures
from reporting.totals.events import CaseSnapshot, Facts, Transfer
from reporting.totals.figures import add


def canonical(value: Any) -> str:
    """One text per JSON value, so that ties between equal versions are broken the same way everywhere."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


# --- per case (keyed by case_id) -------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRecord:
    """A case as far as its events seen so far tell: the join of those events."""

    case_id: str
    revisions: frozenset[int]
    latest: CaseSnapshot  # the highest revision's
    facts: tuple[int, Facts] | None  # the highest revision that carried facts (older producers' carry none)
    channel: str | None  # a case's channel never changes; any event that names it will do
    districts: frozenset[str]  # every district the case has counted in, so each can be told its share
    transfers: frozenset[Transfer]

    @property
    def version(self) -> int:
        """Grows with every change of the record; equal versions mean equal records (1. and 3. above)."""
        return len(self.revisions)

    def current(self) -> CaseSnapshot:
        """The latest snapshot, with what an older producer's event leaves out taken from earlier ones."""
        facts = self.latest.facts if self.latest.facts is not None else (self.facts[1] if self.facts else None)
        return replace(self.latest, facts=facts, channel=self.latest.channel or self.channel)

    def as_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "revisions": sorted(self.revisions),
            "latest": self.latest.as_json(),
            "facts": [self.facts[0], self.facts[1].as_json()] if self.facts else None,
            "channel": self.channel,
            "districts": sorted(self.districts),
            "transfers": [[t.revision, t.from_district, t.to_district] for t in sorted(self.transfers)],
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> CaseRecord:
        facts = raw["facts"]
        return cls(
            case_id=raw["case_id"],
            revisions=frozenset(raw["revisions"]),
            latest=CaseSnapshot.from_json(raw["latest"]),
            facts=(facts[0], Facts.from_json(facts[1])) if facts else None,
            channel=raw["channel"],
            districts=frozenset(raw["districts"]),
            transfers=frozenset(Transfer(r, f, t) for r, f, t in raw["transfers"]),
        )


def _later(a: CaseSnapshot, b: CaseSnapshot) -> CaseSnapshot:
    """The higher revision; at the same revision either, chosen by content so the order never matters."""
    if a.revision != b.revision:
        return a if a.revision > b.revision else b
    return max(a, b, key=lambda s: canonical(s.as_json()))


def merge(record: CaseRecord | None, case: CaseSnapshot, transfer: Transfer | None = None) -> CaseRecord:
    """The record joined with one event's snapshot (and its transfer, for a CaseTransferred)."""
    facts = (case.revision, case.facts) if case.facts is not None else None
    transfers = frozenset({transfer} if transfer else ())
    districts = {case.district_code, *(t.from_district for t in transfers)}
    if record is None:
        return CaseRecord(case.case_id, frozenset({case.revision}), case, facts, case.channel,
                          frozenset(districts), transfers)
    if record.case_id != case.case_id:
        raise ValueError(f"event of case {case.case_id} applied to case {record.case_id}")
    if record.facts is not None and facts is not None and record.facts[0] == facts[0]:
        facts = max(record.facts, facts, key=lambda f: canonical(f[1].as_json()))
    elif record.facts is not None and (facts is None or record.facts[0] > facts[0]):
        facts = record.facts
    return CaseRecord(
        case_id=record.case_id,
        revisions=record.revisions | {case.revision},
        latest=_later(record.latest, case),
        facts=facts,
        channel=record.channel or case.channel,
        districts=record.districts | districts,
        transfers=record.transfers | transfers,
    )


# --- what a case tells districts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """Case ``case_id``, at record version ``version``, adds ``figures`` to ``district`` (nothing, once it
    has left and had no transfer there): absolute, so it replaces the case's previous statement."""

    case_id: str
    version: int
    district: str
    figures: Mapping[str, int]


@dataclass(frozen=True)
class Happening:
    """One event's count on its Bangkok day in one district; (case_id, revision) names it."""

    case_id: str
    revision: int
    district: str
    day: str
    figures: Mapping[str, int]



UnitChange = Statement | Happening


def statements(record: CaseRecord) -> list[Statement]:
    """The case's figures for every district it has been in: its own in the current one, its transfers
    wherever they happened, nothing elsewhere (which takes back what an earlier statement gave)."""
    case = record.current()
    own = contribution(case)
    return [
        Statement(record.case_id, record.version, district,
                  add(own if district == case.district_code else {}, transfer_figures(record.transfers, district)))
        for district in sorted(record.districts)
    ]
