"""The streamed totals' batch handlers: what the worker does with each fetched batch of ``case-events`` (the
cases side) and of its internal unit-changes topic (the units side), and when it settles and acks. The topology
and the app are ``reporting.streams``; the logic is ``reporting.totals.cases`` and ``.districts``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter as Tally
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import orjson
from prometheus_client import Counter

from contracts import codec
from contracts.logs import bound_correlation, correlation_from_headers, correlation_header
from reporting.totals.batch_consumer import BatchHandler
from reporting.totals.batch_io import BatchTable, RecordSink, encode
from reporting.totals.cases import Statement, UnitChange, apply_case_event, change_from_json
from reporting.totals.districts import Districts, TotalsRow
from reporting.totals.durable import AckWhenDurable
from reporting.totals.figures import DAILY, FIGURES, ImpossibleFigures, checked
from reporting.totals.topics import CASE_EVENTS

log = logging.getLogger(__name__)
Reject = Callable[[Any, str], Awaitable[None]]

INPUTS = Counter("streamed_totals_inputs_total", "Records read by the streamed totals, by handler ('agent') and "
                 "outcome (applied, unchanged: redelivered or older; ignored: not about figures; refused: impossible "
                 "or breaking its contract, alerted on)", ["agent", "outcome"])
IMPOSSIBLE_TOTALS = Counter("streamed_totals_impossible_total", "District rows not published because a sum "
                            "passed int64 (alerted on)")


@dataclass
class Streams:
    """One Faust app and what it is made of, for the worker, the tests and the bench."""

    app: Any
    case_events: Any
    unit_changes: Any
    totals: Any
    case_records: BatchTable
    unit_buckets: BatchTable
    unit_days: BatchTable
    sink: RecordSink
    reject: Reject | None = None  # contract-breaking events to the dead-letter topic (None: only counted)
    acks: dict[str, AckWhenDurable] = field(default_factory=dict)
    pending_rows: dict[str, Callable[[], TotalsRow]] = field(default_factory=dict)  # by row key
    # What the events since the last settle tell each district: its cases' latest statements (by case id) and
    # the happenings (by id and day).
    pending_changes: dict[str, dict[tuple[str, ...], UnitChange]] = field(default_factory=dict)
    # The correlation id of the latest event behind each pending record (by district; by row key), sent as its
    # header, so one request's id can be followed from case-events through reporting-unit-changes onto the
    # totals row it moved. Taken in the same swap as the records they go with.
    changes_correlation: dict[str, str] = field(default_factory=dict)
    rows_correlation: dict[str, str] = field(default_factory=dict)
    districts: Districts = field(init=False)
    settling: asyncio.Future[None] | None = None  # the settle started when a handler's batch came due

    def __post_init__(self) -> None:
        self.districts = Districts({}, {})  # given each batch's stores (Districts.using)

    # --- cases: case-events -> case-records -> reporting-unit-changes ----------------------------------------

    async def on_case_events(self, messages: list[Any]) -> None:
        """Applies a batch of case events, stores each partition's records together, and acks the events once
        all of it (and what they tell districts, sent at the settle) is on the broker."""
        outcomes: Tally[str] = Tally()
        refused: list[tuple[Any, Exception]] = []
        sent: list[Awaitable[Any]] = []
        for partition, batch in by_partition(messages).items():
            records = self.case_records.values(partition)
            for message in batch:
                outcomes[self._case_event(records, message, refused)] += 1
            sent.extend(await self.case_records.write(records))
        for message, reason in refused:
            await self._refuse(message, reason)  # before the event is acked
        await self._done("cases", messages, sent, outcomes)

    def _case_event(self, records: Any, message: Any, refused: list[tuple[Any, Exception]]) -> str:
        try:
            data = codec.decode(message.value, orjson.loads)
            if not CASE_EVENTS.carries(data["event_type"], data["schema_version"]):
                raise codec.ContractError(f"{data['event_type']} v{data['schema_version']} not on {CASE_EVENTS.name}")
            result = apply_case_event(records, data)
        except (codec.ContractError, ImpossibleFigures) as reason:
            refused.append((message, reason))
            return "refused"
        if result is None:
            return "ignored"
        changed, changes = result
        correlation_id = correlation_from_headers(message.headers)
        # Sent even when nothing changed: an earlier attempt's records may not have reached the broker.
        for change in changes:
            pending = self.pending_changes.setdefault(change.district, {})
            if isinstance(change, Statement):
                # Absolute and versioned (cases.py, 3.): a case's latest statement to a district says all its
                # earlier ones in this settle would have (equal versions are equal records).
                known = pending.get(("case", change.case_id))
                if known is None or cast(Statement, known).version <= change.version:
                    pending["case", change.case_id] = change
            else:
                pending["day", change.id, change.day] = change
            if correlation_id:
                self.changes_correlation[change.district] = correlation_id
        return "applied" if changed else "unchanged"

    async def _refuse(self, message: Any, reason: Exception) -> None:
        with bound_correlation(correlation_from_headers(message.headers)):
            log.error("refused %s", _where(message))  # the reason may quote the value: on the dead letter only
            if isinstance(reason, codec.ContractError) and self.reject is not None:
                await self.reject(message, str(reason))

    async def publish_changes(self) -> list[asyncio.Future[Any]]:
        """Sends what the events since the last call tell each district, one record per district, before those
        events are acked."""
        pending, self.pending_changes = self.pending_changes, {}
        ids, self.changes_correlation = self.changes_correlation, {}
        return await self.sink.send(self.unit_changes.get_topic_name(), None, [
            (district.encode(), encode({"kind": "changes", "changes": [c.as_json() for c in changes.values()]}),
             correlation_header(ids.get(district)))
            for district, changes in pending.items()])

    # --- units: reporting-unit-changes -> unit-buckets, unit-days -> totals -----------------------------------

    async def on_unit_changes(self, messages: list[Any]) -> None:
        outcomes: Tally[str] = Tally()
        sent: list[Awaitable[Any]] = []
        for partition, batch in by_partition(messages).items():
            buckets, days = self.unit_buckets.values(partition), self.unit_days.values(partition)
            districts = self.districts.using(buckets, days)
            for message in batch:
                outcomes[self._unit_change(districts, message)] += 1
            sent.extend(await self.unit_buckets.write(buckets))
            sent.extend(await self.unit_days.write(days))
        await self._done("units", messages, sent, outcomes)

    def _unit_change(self, districts: Districts, message: Any) -> str:
        try:
            changes = changes_from_json(orjson.loads(message.value))  # all checked before any is applied
        except (ImpossibleFigures, orjson.JSONDecodeError) as refused:
            log.error("refused %s: %s", _where(message), refused)
            return "refused"
        changed = False
        correlation_id = correlation_from_headers(message.headers)
        for change in changes:
            one_changed, key, row = districts.record(change)
            changed = changed or one_changed
            self.pending_rows[key] = row  # built and published by publish_rows before the change is acked
            if correlation_id:
                self.rows_correlation[key] = correlation_id
        return "applied" if changed else "unchanged"

    async def publish_rows(self) -> list[asyncio.Future[Any]]:
        """Sends the latest row of every district (and day) changed since the last call: rows are absolute, so
        one per key and batch says all that the rows in between would have said."""
        pending, self.pending_rows = self.pending_rows, {}
        ids, self.rows_correlation = self.rows_correlation, {}
        rows = [row() for row in pending.values()]
        return await self.sink.send(self.totals.get_topic_name(), None, [
            (row.key.encode(), encode(row.as_json()), correlation_header(ids.get(row.key)))
            for row in rows if _publishable(row)])

    # --- both ------------------------------------------------------------------------------------------------

    async def _done(self, name: str, messages: list[Any], sent: list[Awaitable[Any]], outcomes: Tally[str]) -> None:
        for outcome, count in outcomes.items():
            INPUTS.labels(name, outcome).inc(count)
        acks = self.acks[name]
        acks.track(messages, sent)
        if acks.due:
            # Settled beside the next batches (the broker's acknowledgements take a round trip); waited for only
            # when the previous settle is still under way, which bounds what is unacked to about two batches.
            if self.settling is not None and not self.settling.done():
                await asyncio.shield(self.settling)
            self.settling = asyncio.ensure_future(crash_on_failure(self.app, acks.settle()))

    async def forget_district_sums(self, *args: Any, **kwargs: Any) -> None:
        """On every assignment change: another worker may have written these districts' buckets since."""
        self.districts.forget()

    async def settle(self) -> None:
        """The timer's: settles the tail of a stream that went quiet (not while a batch's settle is under way)."""
        if self.settling is not None and not self.settling.done():
            return
        for acks in list(self.acks.values()):
            await acks.settle()


def by_partition(messages: Sequence[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for message in messages:
        grouped.setdefault(message.partition, []).append(message)
    return grouped


def _publishable(row: TotalsRow) -> bool:
    try:
        checked(row.figures, DAILY if row.day else FIGURES)
    except ImpossibleFigures as impossible:
        IMPOSSIBLE_TOTALS.inc()
        log.error("not publishing %s: %s", row.key, impossible)
        return False
    return True


def changes_from_json(raw: Any) -> list[UnitChange]:
    """A record of the internal topic: one change, or (as the cases handler sends them) a batch of them."""
    if isinstance(raw, dict) and raw.get("kind") == "changes":
        changes = raw.get("changes")
        if not isinstance(changes, list):
            raise ImpossibleFigures("unit changes without a list of changes")
        return [change_from_json(change) for change in changes]
    if not isinstance(raw, dict):
        raise ImpossibleFigures(f"unit change of type {type(raw).__name__}")
    return [change_from_json(raw)]


def _where(message: Any) -> str:
    return f"{message.topic}[{message.partition}]@{message.offset}"


async def crash_on_failure(app: Any, work: Awaitable[Any]) -> None:
    """A failure of a handler or a settle crashes the worker, its records unacked, so they are read again after
    the restart (``reporting.streams``)."""
    try:
        await work
    except Exception as failure:
        await app.crash(failure)
        raise


def crashing(app: Any, handler: BatchHandler) -> BatchHandler:
    async def handle(messages: list[Any]) -> None:
        await crash_on_failure(app, handler(messages))

    return handle
