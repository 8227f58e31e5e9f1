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
from reporting.totals.figures import DAILY, FIGURES, Figures, add, checked, moved, plausible, shift

# Cases of one district are spread over this many stored values, so that a value stays small in a district of
# thousands (a bucket is read and written once per statement and batch, so its size is the units side's cost
# per statement: with 64 buckets that side took 2.5x the time of 512 over 500,000 sample events). Changing it
# changes every key: a rebuild under a new app id (reporting.settings.streams_app_id).
BUCKETS = 512
# A district's day is spread the same way, over this many day rows: a day row holds every happening it counts,
# so one per district and day grew with the day (~90 happenings at a million sample events, decoded and copied
# per happening: the replay's cost per event rose with its length). Changing it changes every key, as above.
DAY_PARTS = 16
# Districts and district days whose sums stay in memory (the least recently used are rebuilt from their buckets
# or day rows when met again): a day's sums are ~1 kB, and events beyond the last weeks are rare once the
# backlog is replayed; ~1,000 districts' all-time sums always fit.
SUMS_IN_MEMORY = 32_768


# --- per district (keyed by district code) ---------------------------------------------------------------


def bucket_of(case_id: str) -> int:
    """Stable across processes and Python versions (``hash`` of a str is salted per process)."""
    return zlib.crc32(case_id.encode()) % BUCKETS


def bucket_key(district: str, number: int) -> str:
    return f"{district}/{number:03d}"  # three digits: no key of the 64-bucket layout ("4701/05") is reused


def day_part_of(case_id: str) -> int:
    return zlib.crc32(case_id.encode()) % DAY_PARTS


def day_key(district: str, day: str, number: int) -> str:
    return f"{district}/{day}/{number:02d}"  # no key of the one-row-a-day layout ("4701/2026-12-01") is reused


@dataclass(slots=True)  # a value, not frozen: see VALUE CLASSES in figures.py
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

    def share(self, case_id: str) -> Figures:
        """The figures the bucket has from ``case_id`` (none if it has not got the case)."""
        known = self.cases.get(case_id)
        return known[1] if known is not None else {}

    def as_json(self) -> dict[str, Any]:
        return {"cases": self.cases, "totals": self.totals, "version": self.version}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> Bucket:
        if raw is None:
            return cls()
        return cls(raw["cases"], raw["totals"], raw["version"])


@dataclass(slots=True)  # a value, not frozen: see VALUE CLASSES in figures.py
class DayRow:
    """Some of a district's happenings on one Bangkok day (those of the cases in one of the day's
    :data:`DAY_PARTS`), and their counts (same value: ``totals.cases``, 2.); the day's counts are the sum of its
    day rows. ``seen`` is a JSON object of happening ids, used as it is like a bucket's cases."""

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
        return cls(raw["seen"], raw["totals"])


@dataclass(slots=True)  # a value, not frozen: see VALUE CLASSES in figures.py
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
    """A district's figures, all-time (the sum of its buckets) or of one day (of its day rows). Derived and kept
    in memory only, rebuilt from the stored parts whenever it cannot vouch for them (after a rebalance, or when
    a part's stored version is not the one it last summed)."""

    def __init__(self, district: str, parts: Mapping[int, Bucket | DayRow], day: str | None = None) -> None:
        self.district = district
        self.day = day
        self.versions = {number: part.version for number, part in parts.items() if part.version}
        self.figures = add(*(part.totals for part in parts.values()))

    def replace(self, number: int, old_version: int, new_version: int, removed: Figures, added: Figures) -> bool:
        """Part ``number`` went from ``old_version`` to ``new_version`` by losing ``removed`` and gaining ``added``
        (one case's or happening's figures, not the part's: fewer to add); False, changing nothing, when
        ``old_version`` is not the version summed."""
        if self.versions.get(number, 0) != old_version:
            return False
        self.versions[number] = new_version
        shift(self.figures, removed, added)  # zeros may stay here and are left out of the row
        return True

    def row(self) -> TotalsRow:
        return TotalsRow(self.district, self.day, sum(self.versions.values()),
                         {name: value for name, value in self.figures.items() if value})


class Districts:
    """What the ``units`` handler does with one :data:`UnitChange`: the bucket or day row joined with it and
    stored (even when unchanged: ``totals.cases``, 4.), and the district's row to publish."""

    def __init__(self, buckets: Store, days: Store) -> None:
        self.buckets = buckets
        self.days = days
        # By (district, None) from ``buckets`` and (district, day) from ``days``, least recently used first.
        self.sums: dict[tuple[str, str | None], UnitTotals] = {}

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
            sums = self._sums(change.district, None, number, old.version, new.version, old.share(change.case_id),
                              new.share(change.case_id))
            return new is not old, f"district:{change.district}", sums.row
        number = day_part_of(change.case_id)
        key = day_key(change.district, change.day, number)
        old_day = DayRow.from_json(self.days.get(key))
        new_day = old_day.apply(change)
        self.days[key] = new_day.as_json()
        added = change.figures if new_day is not old_day else {}
        sums = self._sums(change.district, change.day, number, old_day.version, new_day.version, {}, added)
        return new_day is not old_day, f"district:{change.district}:{change.day}", sums.row

    def using(self, buckets: Store, days: Store) -> Districts:
        """This, reading and writing ``buckets`` and ``days`` (one partition's values during one batch); the
        sums in memory stay, and ``_sums`` still checks them against what is stored."""
        self.buckets, self.days = buckets, days
        return self

    def forget(self) -> None:
        """After a rebalance or restart: what is stored may have changed under the sums."""
        self.sums.clear()

    def _sums(self, district: str, day: str | None, number: int, old_version: int, new_version: int,
              removed: Figures, added: Figures) -> UnitTotals:
        """The district's (or its day's) sums with part ``number`` moved on (``UnitTotals.replace``)."""
        sums = self.sums.pop((district, day), None)  # put back last: the most recently used
        if sums is None or not sums.replace(number, old_version, new_version, removed, added):
            # Unknown here, or not the part it last summed: rebuilt from what is stored (the new part included).
            sums = self._stored_sums(district, day)
            if len(self.sums) >= SUMS_IN_MEMORY:
                del self.sums[next(iter(self.sums))]
        self.sums[district, day] = sums
        return sums

    def _stored_sums(self, district: str, day: str | None) -> UnitTotals:
        if day is None:
            buckets = {n: Bucket.from_json(self.buckets.get(bucket_key(district, n))) for n in range(BUCKETS)}
            return UnitTotals(district, buckets)
        rows = {n: DayRow.from_json(self.days.get(day_key(district, day, n))) for n in range(DAY_PARTS)}
        return UnitTotals(district, rows, day)
