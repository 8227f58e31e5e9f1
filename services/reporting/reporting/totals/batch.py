"""One batch of case events applied to the case values it touches. Pure: no I/O (``reporting.streams`` reads
and writes the values, ``reporting.totals.partials`` sums them).

Decoding is the consumer's contract check, on a fast path: ``orjson`` and a compiled Rust validator
(``jsonschema_rs``) per event type and version, ~7 µs an event against ~58 µs for ``contracts.codec.decode``
(stdlib JSON and fastjsonschema, measured on the bench's events). A value the fast path refuses goes through
``codec.decode`` for its reason, so the refusal says the same as everywhere else. Formats (date-time, uuid)
are not checked on the fast path: the one the worker uses, ``occurred_at``, is parsed and refused when it is
not a zoned ISO time (``figures.bangkok_day``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import jsonschema_rs
import orjson

from contracts import codec, registry
from reporting.totals.cases import CaseRecord, Happening, UnitChange, merge, statements
from reporting.totals.contributions import daily_counts
from reporting.totals.events import snapshot_of, transfer_of
from reporting.totals.figures import ImpossibleFigures, bangkok_day
from reporting.totals.partials import Partials, Stored, stored_case
from reporting.totals.rollup import RollUp
from reporting.totals.view import rows_of


@cache
def _validator(event_type: str, version: int) -> Any:
    return jsonschema_rs.validator_for(registry.schema(event_type, version), validate_formats=False)


def decode(value: bytes | None, carries: Callable[[str, int], bool]) -> dict[str, Any]:
    """The event in ``value`` if it keeps its contract and its topic carries it; raises
    :class:`contracts.codec.ContractError` (with ``codec.decode``'s reason) otherwise."""
    try:
        event = orjson.loads(value) if value is not None else None
        kind, version = event["event_type"], event["schema_version"]  # type: ignore[index]
        valid = (isinstance(event, dict) and isinstance(kind, str) and type(version) is int
                 and _validator(kind, version).is_valid(event))
    except (orjson.JSONDecodeError, TypeError, KeyError, ValueError):
        valid = False
    if not valid:
        event = codec.decode(value)  # raises with the reason; returns only if the two disagree (then it is valid)
        kind, version = event["event_type"], event["schema_version"]
    if not carries(kind, version):
        raise codec.ContractError(f"{kind} v{version} not on this topic")
    return event  # type: ignore[return-value]


@dataclass
class CaseOutcome:
    """What a batch did to one case: its new value (None when no event was about its figures) and, by the
    events' indexes in the batch, which were refused (with why) and which were not about figures."""

    value: dict[str, Any] | None = None
    changed: bool = False
    refused: list[tuple[int, str]] = field(default_factory=list)
    ignored: list[int] = field(default_factory=list)


def join_case(old: Stored | None, part: int, events: Sequence[tuple[int, Mapping[str, Any]]]) -> CaseOutcome:
    """The case's stored value joined with ``events`` (index in the batch, event), in any order: the record
    merged with each, and each revision's happenings counted once (the first event of a revision the record
    did not have). An event no case can have is refused alone, before it changes anything."""
    outcome = CaseOutcome()
    record = CaseRecord.from_json(old) if old is not None else None
    seen = set(record.revisions) if record is not None else set()
    happenings: list[UnitChange] = []
    for index, event in events:
        try:
            case = snapshot_of(event)
            if case is None:
                outcome.ignored.append(index)
                continue
            transfer = transfer_of(event)
            new_day = case.revision not in seen
            counted = [Happening(case.case_id, case.revision, district, bangkok_day(event["occurred_at"]), figures)
                       for district, figures in daily_counts(event)] if new_day else []
            record = merge(record, case, transfer)
        except ImpossibleFigures as refused:
            outcome.refused.append((index, str(refused)))
            continue
        seen.add(case.revision)
        happenings.extend(counted)
    if record is None:
        return outcome
    outcome.value = stored_case(record, part, [*statements(record), *happenings],
                                old["happened"] if old is not None else None)
    outcome.changed = old is None or record.version != old["version"]  # new happenings come with new revisions
    return outcome


CaseEvents = Mapping[str, Sequence[tuple[int, Mapping[str, Any]]]]  # case id -> (index in the batch, event)


def apply_partition(cases: MutableMapping[str, Any], partials: Partials, part: int, events: CaseEvents,
                    outcomes: list[str], refused: list[tuple[int, str]]) -> None:
    """One partition's share of a batch: each case's value read once, joined with all its events, written
    once (even when unchanged: ``partials``, 4.), and the partition's sums moved from old value to new.
    ``outcomes`` (by index: applied, unchanged, ignored) and ``refused`` (index, reason) are filled in."""
    for case_id, case_events in events.items():
        old = cases.get(case_id) if case_id else None
        outcome = join_case(old, part, case_events)
        for index in outcome.ignored:
            outcomes[index] = "ignored"
        refused.extend(outcome.refused)
        if outcome.value is None:
            continue
        partials.replace(old, outcome.value)
        cases[case_id] = outcome.value
        done = {index for index, _ in outcome.refused} | set(outcome.ignored)
        for index, _ in case_events:
            if index not in done:
                outcomes[index] = "applied" if outcome.changed else "unchanged"


def rolled_up(events: Iterable[Mapping[str, Any]], *, batch: int = 500, partitions: int = 1) -> RollUp:
    """``events`` through the worker's batch step and a reader's roll-up, without Faust or a broker: what the
    streamed totals come to (for tests and the reconciliation's fakes). Cases are spread over ``partitions``
    by a fixed hash of their id, as Kafka spreads them by key; with one, a share is the whole district and
    its rows are keyed as whole rows (``district:<code>``)."""
    cases: dict[str, Any] = {}
    partials = Partials()
    rollup = RollUp()
    every = list(events)
    for start in range(0, len(every), batch):
        chunk = every[start:start + batch]
        outcomes = ["skipped"] * len(chunk)
        by_part: dict[int, dict[str, list[tuple[int, Mapping[str, Any]]]]] = {}
        for index, event in enumerate(chunk):
            case_id = event.get("case_id")
            key = case_id if isinstance(case_id, str) else ""
            by_part.setdefault(zlib.crc32(key.encode()) % partitions, {}).setdefault(key, []).append((index, event))
        partials.rebuild(set(by_part) - partials.built, list(cases.values()))
        for part, grouped in by_part.items():
            apply_partition(cases, partials, part, grouped, outcomes, [])
        for row in partials.take_rows():
            for whole in rows_of(row.as_json()):
                rollup.apply(whole if partitions > 1 else replace(whole, part=None))
    return rollup
