"""Applying case events to per-case records and what they tell districts, idempotent by design. Pure: the
batch handlers in ``reporting.streams`` only load a value, call one function here (or in
``reporting.totals.districts``), store the result and send what it returns. Province and national totals are
summed by ``reporting.totals.rollup``.

The path of an event::

    case-events (key case_id) ──> CaseRecord per case ──> UnitChange records (key district code)
        ──> Bucket per (district, hash(case) % BUCKETS) and DayRow per (district, day, hash(case) % DAY_PARTS)
        ──> TotalsRow per district and per (district, day) on the compacted totals topic
        ──> RollUp: province and nation as sums of district rows (in whoever reads the topic)

Why it counts every event exactly once without Kafka transactions
----------------------------------------------------------------
1. **Every stored value is a join.** A :class:`CaseRecord` is the join (least upper bound) of the case's
   events seen so far: the snapshot of the highest revision, the set of revisions, the districts it has
   been in, its transfers. A ``districts.Bucket`` keeps, per case, the statement with the highest version;
   a ``districts.DayRow`` is the set of happenings (case, revision) it has counted. ``merge``/``apply`` are
   idempotent, commutative and associative, so a redelivered, replayed or out-of-order input changes
   nothing it should not, in any order, any number of times.
2. **No value depends on another key.** Unit totals are not kept as running sums beside per-case state
   (two keys that a crash can leave out of step: one written, the other lost). A bucket's totals live in
   the same value as the cases they sum, so one write carries both; the district's total is the sum of
   its buckets (a day's, of its day rows), derived in memory (``districts.UnitTotals``) and checked
   against the stored versions.
3. **What is sent is absolute and versioned.** A :class:`Statement` says "case C at version V adds F to
   district D" (F empty once the case has left D), never "add ΔF"; its version is the number of
   revisions the record has seen, which grows with every change. Each record states its figures for
   *every* district it has been in, so a lost or reordered statement is repaired by the next one. A
   ``districts.TotalsRow`` carries the unit's state with a version (the sum of its case versions, or the
   number of happenings); readers keep the highest (``rollup.RollUp``).
4. **Every processing re-stores and re-sends.** The handlers write the value and send the outputs even
   when the join changed nothing, and ack the input only after the broker has acknowledged all of it
   (``reporting.totals.durable.AckWhenDurable``). So whatever a crash loses belongs to an input that is not yet
   committed, and will be processed again; whatever it keeps is a join the re-processing cannot inflate.

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
from typing import Any, Protocol

from reporting.totals.contributions import contribution, daily_counts, transfer_figures
from reporting.totals.events import CaseSnapshot, Facts, Transfer, snapshot_of, transfer_of
from reporting.totals.figures import DAILY, ImpossibleFigures, add, bangkok_day, checked, plausible


class Store(Protocol):
    """JSON values by key: one partition of a Faust table during a batch in the worker
    (``batch_io.PartitionValues``), a dict in tests."""

    def get(self, key: str, default: Any = None, /) -> Any: ...

    def __setitem__(self, key: str, value: Any, /) -> None: ...


def canonical(value: Any) -> str:
    """One text per JSON value, so that ties between equal versions are broken the same way everywhere."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


# --- per case (keyed by case_id) -------------------------------------------------------------------------


@dataclass(slots=True)  # a value, not frozen: see VALUE CLASSES in figures.py
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
        latest = self.latest
        if latest.facts is not None and latest.channel is not None:
            return latest  # what producers send today: nothing to fill in
        facts = latest.facts if latest.facts is not None else (self.facts[1] if self.facts else None)
        return replace(latest, facts=facts, channel=latest.channel or self.channel)

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


# --- what flows from cases to districts (keyed by district code) -----------------------------------------


@dataclass(slots=True)  # a value, not frozen: see VALUE CLASSES in figures.py
class Statement:
    """Case ``case_id``, at record version ``version``, adds ``figures`` to ``district`` (nothing, once it
    has left and had no transfer there): absolute, so it replaces the case's previous statement."""

    case_id: str
    version: int
    district: str
    figures: Mapping[str, int]

    def as_json(self) -> dict[str, Any]:
        return {"kind": "case", "case_id": self.case_id, "version": self.version, "district": self.district,
                "figures": dict(self.figures)}


@dataclass(slots=True)  # a value, not frozen: see VALUE CLASSES in figures.py
class Happening:
    """One event's count on its Bangkok day in one district; (case_id, revision) names it."""

    case_id: str
    revision: int
    district: str
    day: str
    figures: Mapping[str, int]

    @property
    def id(self) -> str:
        return f"{self.case_id}@{self.revision}"

    def as_json(self) -> dict[str, Any]:
        return {"kind": "day", "case_id": self.case_id, "revision": self.revision, "district": self.district,
                "day": self.day, "figures": dict(self.figures)}


UnitChange = Statement | Happening


def change_from_json(raw: Mapping[str, Any]) -> UnitChange:
    """A record of the internal topic, checked again: it crossed a broker."""
    try:
        if raw["kind"] == "case":
            return Statement(str(raw["case_id"]), plausible("version", raw["version"]), str(raw["district"]),
                             checked(raw["figures"]))
        if raw["kind"] == "day":
            return Happening(str(raw["case_id"]), plausible("revision", raw["revision"]), str(raw["district"]),
                             str(raw["day"]), checked(raw["figures"], DAILY))
    except (KeyError, TypeError, AttributeError) as broken:
        raise ImpossibleFigures(f"unit change without {broken}") from None
    raise ImpossibleFigures(f"unit change of kind {raw.get('kind')!r}")


def statements(record: CaseRecord) -> list[Statement]:
    """The case's figures for every district it has been in: its own in the current one, its transfers
    wherever they happened, nothing elsewhere (which takes back what an earlier statement gave)."""
    case = record.current()
    own = contribution(case)

    def figures(district: str) -> dict[str, int]:
        mine = own if district == case.district_code else {}
        # most cases were never transferred: their own figures, without zeros already
        return add(mine, transfer_figures(record.transfers, district)) if record.transfers else mine

    return [Statement(record.case_id, record.version, district, figures(district))
            for district in sorted(record.districts)]


def on_case_event(record: CaseRecord | None, event: Mapping[str, Any]) -> tuple[CaseRecord, list[UnitChange]] | None:
    """The case's record after ``event``, and everything to send to the districts: the record's statements
    and the event's happenings. None when the event is not about a case's figures. Raises
    :class:`ImpossibleFigures` (before anything changes) for an event no case can have.

    The statements are sent after every event, even one already applied (4. above)."""
    case = snapshot_of(event)
    if case is None:
        return None
    transfer = transfer_of(event)
    day = bangkok_day(event["occurred_at"])
    counts = daily_counts(event)
    new = merge(record, case, transfer)
    happenings = [Happening(case.case_id, case.revision, district, day, figures) for district, figures in counts]
    return new, [*statements(new), *happenings]


def apply_case_event(records: Store, event: Mapping[str, Any]) -> tuple[bool, list[UnitChange]] | None:
    """What the ``cases`` agent does with one event: the case's record joined with it and stored (even when
    unchanged: 4. above), and what to send. ``(changed, changes)``, or None for an event about something
    else; raises :class:`ImpossibleFigures` before storing anything."""
    case_id = event.get("case_id")
    stored = records.get(case_id) if isinstance(case_id, str) else None
    known = CaseRecord.from_json(stored) if stored is not None else None
    result = on_case_event(known, event)
    if result is None:
        return None
    record, changes = result
    records[record.case_id] = record.as_json()
    return known is None or record.version != known.version, changes
