"""Per-partition district sums, kept beside the one ``cases`` table of the batch worker. Pure: no I/O.

The worker (``reporting.streams``) reads case-events (keyed by case id) and keeps one value per case: the
case's :class:`reporting.totals.cases.CaseRecord` joined with every event seen, plus what the record tells each
district (``shares``: its statements, absolute) and what each of its revisions added to a district's day
(``happened``). Everything a district's figures are made of therefore lives in the case values of the
partition the cases came in on, so the worker sums them per (partition, district) and per (partition,
district, month) in memory (:class:`Partials`) and publishes those partial rows; a reader sums a district's
partial rows (``rollup.RollUp`` adds every row to its district, province and nation). No repartitioning and
no second table: a case value is the only stored state, one write per case and batch.

Why it still counts every event once (the argument of ``reporting.totals.cases``, carried over):

1. A case value is a join (``cases.merge``; happenings are added for revisions the record did not have, so a
   redelivered revision adds nothing): redelivery, replay and any order change nothing they should not.
2. The partial sums are *derived*: a function of the case values of one partition, rebuilt from the table
   (:meth:`Partials.rebuild`) whenever they cannot vouch for it (on start and after every rebalance), and
   changed only together with a case value (:meth:`Partials.replace`, old value → new value). So they can
   never disagree with what is stored, whatever a crash left behind.
3. Rows are absolute and versioned: a partial district row's version is the sum of the versions of the cases
   that have been in the district (each grows with every change), a month row's the number of happenings it
   counts; both only grow, and equal versions mean equal content, so readers keep the highest.
4. Each batch writes every case it touched (changed or not) and publishes every row it touched, and acks its
   events only after the broker acknowledged all of it (``reporting.totals.durable``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reporting.totals.cases import CaseRecord, Happening, Statement, UnitChange
from reporting.totals.figures import DAILY, FIGURES, checked, plausible

Figures = dict[str, int]
Stored = Mapping[str, Any]  # a case value as the ``cases`` table holds it (JSON)


def stored_case(record: CaseRecord, part: int, changes: Iterable[UnitChange],
                happened: Mapping[str, Any] | None) -> dict[str, Any]:
    """The case's value after a batch: the record, its partition, its statements as ``shares`` and its
    happenings by revision (``changes``' happenings of revisions not in ``happened`` before added to it)."""
    shares: dict[str, Figures] = {}
    days: dict[str, list[list[Any]]] = {str(r): list(h) for r, h in (happened or {}).items()}
    fresh = {str(c.revision) for c in changes if isinstance(c, Happening)} - set(days)
    for change in changes:
        if isinstance(change, Statement):
            shares[change.district] = dict(change.figures)
        elif isinstance(change, Happening) and str(change.revision) in fresh:
            days.setdefault(str(change.revision), []).append([change.district, change.day, dict(change.figures)])
    return {**record.as_json(), "part": part, "version": record.version, "shares": shares, "happened": days}


def _add_into(target: Figures, figures: Mapping[str, int], sign: int = 1) -> None:
    get = target.get
    for name, value in figures.items():
        total = get(name, 0) + sign * value
        if total:
            target[name] = total
        else:
            target.pop(name, None)


@dataclass
class UnitSum:
    """One partition's share of a district's all-time figures."""

    version: int = 0
    figures: Figures = field(default_factory=dict)


@dataclass
class MonthSum:
    """One partition's counts of a district's days in one month (``YYYY-MM``), by day."""

    version: int = 0
    days: dict[str, Figures] = field(default_factory=dict)


@dataclass(frozen=True)
class PartialRow:
    """A row of the ``totals`` topic written by the batch worker: one partition's share of a district, all-time
    (``month`` None) or the days of one month. Readers add a district's partial rows up (``view``)."""

    district: str
    part: int
    version: int
    figures: Mapping[str, int] = field(default_factory=dict)
    month: str | None = None
    days: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"district:{self.district}:p{self.part}" + (f":{self.month}" if self.month else "")

    def check(self) -> None:
        """Raises ImpossibleFigures for a sum that passed int64 (a row no reader may take)."""
        if self.month is None:
            checked(self.figures, FIGURES)
        for figures in self.days.values():
            checked(figures, DAILY)

    def as_json(self) -> dict[str, Any]:
        """Shares the row's own mappings (no copy: rows are snapshots, made once per batch and sent)."""
        row: dict[str, Any] = {"level": "district", "code": self.district, "province_code": self.district[:2],
                               "part": self.part, "version": self.version}
        if self.month is None:
            return {**row, "day": None, "figures": self.figures}
        return {**row, "month": self.month, "days": self.days}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> PartialRow:
        month = raw.get("month")
        part = plausible("part", raw["part"])
        version = plausible("version", raw["version"])
        if month is None:
            return cls(str(raw["code"]), part, version, checked(raw["figures"], FIGURES))
        days = raw["days"]
        if not isinstance(days, dict):
            raise TypeError("days is not an object")
        return cls(str(raw["code"]), part, version, {}, str(month),
                   {str(day): checked(figures, DAILY) for day, figures in days.items()})


UnitKey = tuple[int, str]  # (partition, district)
MonthKey = tuple[int, str, str]  # (partition, district, YYYY-MM)


class Partials:
    """The per-partition sums of the case values of the partitions this worker owns, and the keys a batch
    touched (published at its end). Rebuilt per partition from the stored values (:meth:`rebuild`)."""

    def __init__(self) -> None:
        self.units: dict[UnitKey, UnitSum] = {}
        self.months: dict[MonthKey, MonthSum] = {}
        self.built: set[int] = set()
        self.touched_units: set[UnitKey] = set()
        self.touched_months: set[MonthKey] = set()

    def forget(self) -> None:
        """After a rebalance: another worker may have written these partitions' cases since."""
        self.units.clear()
        self.months.clear()
        self.built.clear()
        self.touched_units.clear()
        self.touched_months.clear()

    def rebuild(self, parts: set[int], values: Iterable[Stored]) -> None:
        """The sums of ``parts`` from every stored case value (values of other partitions are skipped)."""
        for part in parts:
            self._drop(part)
        for value in values:
            if value.get("part") in parts:
                self._account(value, 1, touch=False)
        self.built |= parts

    def replace(self, old: Stored | None, new: Stored) -> None:
        """A case's value changes from ``old`` to ``new`` (the same, for a redelivery): swaps its share and
        marks every row it is in as touched (republished even when unchanged: ``cases``, 4.)."""
        if old is not None:
            self._account(old, -1, touch=False)
        self._account(new, 1, touch=True)

    def _drop(self, part: int) -> None:
        self.units = {key: value for key, value in self.units.items() if key[0] != part}
        self.months = {key: value for key, value in self.months.items() if key[0] != part}

    def _account(self, value: Stored, sign: int, *, touch: bool) -> None:
        part, version = value["part"], value["version"]
        for district, figures in value["shares"].items():
            key = (part, district)
            unit = self.units.get(key)
            if unit is None:
                unit = self.units[key] = UnitSum()
            unit.version += sign * version
            _add_into(unit.figures, figures, sign)
            if touch:
                self.touched_units.add(key)
        for happenings in value["happened"].values():
            for district, day, figures in happenings:
                month_key = (part, district, day[:7])
                month = self.months.get(month_key)
                if month is None:
                    month = self.months[month_key] = MonthSum()
                month.version += sign
                counts = month.days.setdefault(day, {})
                _add_into(counts, figures, sign)
                if touch:
                    self.touched_months.add(month_key)

    def take_rows(self) -> list[PartialRow]:
        """The rows of every key touched since the last call, as they stand now."""
        rows = [PartialRow(district, part, self.units[(part, district)].version,
                           dict(self.units[(part, district)].figures))
                for part, district in sorted(self.touched_units)]
        for part, district, month in sorted(self.touched_months):
            held = self.months[(part, district, month)]
            rows.append(PartialRow(district, part, held.version, {}, month,
                                   {day: dict(f) for day, f in held.days.items() if f}))
        self.touched_units.clear()
        self.touched_months.clear()
        return rows
