"""District sums: the ``units`` handler's side. Statements and happenings (``reporting.totals.cases``) are
joined into buckets and day rows, and each district's row for the ``totals`` topic is derived from them.
Why this counts every event exactly once is argued in ``reporting.totals.cases`` (the numbered points cited here).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reporting.totals.cases import Happening, Statement, Store, UnitChange, canonical
from reporting.totals.figures import DAILY, FIGURES, add, checked, moved, plausible

# Cases of one district are spread over this many stored values, so that a value stays small in a district of
# thousands (a bucket is read and written once per statement and batch, so its size is the units side's cost
# per statement: with 64 buckets that side took 2.5x the time of 512 over 500,000 sample events). Changing it
# changes every key: a rebuild under a new app id (reporting.settings.streams_app_id).
BUCKETS = 512


# --- per district (keyed by district code) ---------------------------------------------------------------


def bucket_of(case_id: str) -> int:
    """Stable across processes and Python versions (``hash`` of a str is salted per process)."""
    return zlib.crc32(case_id.encode()) % BUCKETS


def bucket_key(district: str, number: int) -> str:
    return f"{district}/{number:03d}"  # three digits: no key of the 64-bucket layout ("4701/05") is reused


def day_key(district: str, day: str) -> str:
    return f"{district}/{day}"


@dataclass(frozen=True)
class Bucket:
    """Some of a district's cases, each with its latest statement, and their sum: one stored value, so the
    sum can never disagree with the cases it sums (``totals.cases``, 2.). Its JSON is used as it is, not copied
    (``from_json``/``as_json`` wrap and unwrap; ``apply`` copies before it changes anything): a bucket holds
    dozens of cases and is read and written once per statement."""

    cases: Mapping[str, Sequence[Any]] = field(default_factory=dict)  # case -> [version, figures]
    totals: Mapping[str, int] = field(default_factory=dict)
    version: int = 0  # the sum of the case versions: grows with every change

    def apply(self, statement: Statement) -> Bucket:
        known = self.cases.get(statement.case_id)
        if known is not None and (known[0] > statement.version or (
                known[0] == statement.version and canonical(known[1]) >= canonical(statement.figures))):
            return self  # redelivered or older: the join is unchanged (equal versions: the same choice everywhere)
        old_version, old_figures = known if known is not None else (0, {})
        return Bucket(
            cases={**self.cases, statement.case_id: [statement.version, dict(statement.figures)]},
            totals=moved(self.totals, old_figures, statement.figures),
            version=self.version - old_version + statement.version,
        )

    def as_json(self) -> dict[str, Any]:
        return {"cases": self.cases, "totals": self.totals, "version": self.version}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> Bucket:
        if raw is None:
            return cls()
        return cls(raw["cases"], raw["totals"], raw["version"])


@dataclass(frozen=True)
class DayRow:
    """A district's counts on one Bangkok day, and which happenings they count (same value: ``totals.cases``, 2.).
    ``seen`` is a JSON object of happening ids, used as it is like a bucket's cases."""

    seen: Mapping[str, int] = field(default_factory=dict)  # happening id -> 1
    totals: Mapping[str, int] = field(default_factory=dict)

    @property
    def version(self) -> int:
        return len(self.seen)

    def apply(self, happening: Happening) -> DayRow:
        if happening.id in self.seen:
            return self
        return DayRow({**self.seen, happening.id: 1}, add(self.totals, happening.figures))

    def as_json(self) -> dict[str, Any]:
        return {"seen": self.seen, "totals": self.totals}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> DayRow:
        if raw is None:
            return cls()
        seen = raw["seen"]  # a list in values written before it was an object
        return cls(seen if isinstance(seen, dict) else dict.fromkeys(seen, 1), raw["totals"])


@dataclass(frozen=True)
class TotalsRow:
    """What the ``totals`` topic carries: a district's figures (all-time, or one day's), absolute, with a
    version that grows with every change, so a reader keeps the highest it has seen."""

    district: str
    day: str | None
    version: int
    figures: Mapping[str, int]

    @property
    def key(self) -> str:
        return f"district:{self.district}" + (f":{self.day}" if self.day else "")

    def as_json(self) -> dict[str, Any]:
        return {"level": "district", "code": self.district, "province_code": self.district[:2], "day": self.day,
                "version": self.version, "figures": dict(self.figures)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> TotalsRow:
        day = raw["day"]
        names = DAILY if day else FIGURES
        return cls(raw["code"], day, plausible("version", raw["version"]), checked(raw["figures"], names))


class UnitTotals:
    """A district's all-time figures: the sum of its buckets. Derived and kept in memory only, rebuilt from
    the stored buckets whenever it cannot vouch for them (after a rebalance, or when a bucket's stored
    version is not the one it last summed)."""

    def __init__(self, district: str, buckets: Mapping[int, Bucket]) -> None:
        self.district = district
        self.versions = {number: bucket.version for number, bucket in buckets.items() if bucket.version}
        self.figures = add(*(bucket.totals for bucket in buckets.values()))

    def replace(self, number: int, old: Bucket, new: Bucket) -> bool:
        """Swaps one bucket's share; False, changing nothing, when ``old`` is not what was summed."""
        if self.versions.get(number, 0) != old.version:
            return False
        self.versions[number] = new.version
        # In place (once per statement, ~30 figures): zeros may stay here and are left out of the row.
        figures, get = self.figures, self.figures.get
        for name, value in old.totals.items():
            figures[name] = get(name, 0) - value
        for name, value in new.totals.items():
            figures[name] = get(name, 0) + value
        return True

    def row(self) -> TotalsRow:
        return TotalsRow(self.district, None, sum(self.versions.values()),
                         {name: value for name, value in self.figures.items() if value})


def day_row(district: str, day: str, row: DayRow) -> TotalsRow:
    return TotalsRow(district, day, row.version, dict(row.totals))


class Districts:
    """What the ``units`` handler does with one :data:`UnitChange`: the bucket or day row joined with it and
    stored (even when unchanged: ``totals.cases``, 4.), and the district's row to publish."""

    def __init__(self, buckets: Store, days: Store) -> None:
        self.buckets = buckets
        self.days = days
        self.sums: dict[str, UnitTotals] = {}  # derived from ``buckets``; see UnitTotals

    def apply(self, change: UnitChange) -> tuple[bool, TotalsRow]:
        """``(changed, row)``: the row is the district's (all-time for a statement, the day's otherwise)."""
        changed, _, row = self.record(change)
        return changed, row()

    def record(self, change: UnitChange) -> tuple[bool, str, Callable[[], TotalsRow]]:
        """:meth:`apply` without building the row: ``(changed, the row's key, how to build it)``; built when it is
        published, once per key and batch, from the sums in memory then."""
        if isinstance(change, Statement):
            number = bucket_of(change.case_id)
            key = bucket_key(change.district, number)
            old = Bucket.from_json(self.buckets.get(key))
            new = old.apply(change)
            self.buckets[key] = new.as_json()
            return new is not old, f"district:{change.district}", self._sums(change.district, number, old, new).row
        key = day_key(change.district, change.day)
        old_day = DayRow.from_json(self.days.get(key))
        new_day = old_day.apply(change)
        self.days[key] = new_day.as_json()
        district, day = change.district, change.day
        return new_day is not old_day, f"district:{district}:{day}", lambda: day_row(district, day, new_day)

    def using(self, buckets: Store, days: Store) -> Districts:
        """This, reading and writing ``buckets`` and ``days`` (one partition's values during one batch); the
        sums in memory stay, and ``_sums`` still checks them against what is stored."""
        self.buckets, self.days = buckets, days
        return self

    def forget(self) -> None:
        """After a rebalance or restart: what is stored may have changed under the sums."""
        self.sums.clear()

    def _sums(self, district: str, number: int, old: Bucket, new: Bucket) -> UnitTotals:
        sums = self.sums.get(district)
        if sums is None or not sums.replace(number, old, new):
            # Unknown here, or not the bucket it last summed: rebuilt from what is stored (``new`` included).
            stored = {n: Bucket.from_json(self.buckets.get(bucket_key(district, n))) for n in range(BUCKETS)}
            sums = self.sums[district] = UnitTotals(district, stored)
        return sums
