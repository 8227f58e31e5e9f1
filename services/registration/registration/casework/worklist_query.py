"""What a worklist page asks for, and the MongoDB finds that answer it (pure: no I/O).

A request's filters become one AND-only base filter on the indexed top-level copies of a case
(``cases.docs.worklist_fields``); its sort becomes a list of *segments* read one after another (a status
sort reads each status in workflow order; a due-date sort reads the dated cases, then the undated ones).
Paging is by keyset: the cursor names a segment and the last row's (sort value, receipt number), and the
next page continues from there in the index, however deep — never ``skip``.

The shapes are chosen so that both MongoDB and the dev stand-in (nx-27017, SQL over SQLite) answer from an
index; all of them are ordinary MongoDB queries:
- equality is written ``{"$eq": v}``: nx-27017 reads a bare ``{"f": v}`` as "f is v or an array holding v"
  and then cannot use an index;
- the keyset's ``(v < x) or (v = x and tie < t)`` is two AND-only finds (nx-27017 runs any ``$or`` in
  Python over the whole collection);
- the tie-breaker is ``receipt_no`` (unique, a document field) rather than ``_id``: nx-27017 cannot put
  ``_id`` in a compound index nor compare it in SQL;
- a find compares ``next_action_due`` (an ISO date string) at most once; see :func:`for_nx_27017`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from registration.cases.case import Status
from registration.casework.worklist_cursor import Cursor, Position
from registration.casework.worklist_nx import merge_conditions as _and
from registration.casework.worklist_request import (
    DEBT,
    DUE,
    REGISTERED,
    STATUS_ORDER,
    TIE,
    Doc,
    Scope,
    Search,
    WorklistQuery,
)
from registration.kernel.receipts import THAI_TIME

# ---- the filter ----

def thai_midnight(day: date) -> datetime:
    """The moment a Thai calendar day begins, in UTC (registration times are stored in UTC)."""
    return datetime.combine(day, time(), THAI_TIME).astimezone(UTC)


@dataclass(frozen=True)
class Filter:
    """The AND-only base filter, and the due-date bound kept apart: a find may compare the due date once
    (:func:`for_nx_27017`), so the plan decides where this bound goes."""

    where: Doc
    due_before: str | None = None  # exclusive ISO date: next_action_due < this


def build_filter(query: WorklistQuery, scope: Scope, officer_sub: str, today: date) -> Filter:
    """Everything but the sort and the cursor. ``today`` is the Thai calendar day."""
    where: Doc = dict(scope.filter())
    if scope.level == "nation" and query.province_code:
        where["province_code"] = {"$eq": query.province_code}
    if scope.level != "district" and query.district_code and query.district_code.startswith(
            where.get("province_code", {}).get("$eq", "")):
        where["district_code"] = {"$eq": query.district_code}
    if query.subdistrict_code:
        where["subdistrict_code"] = {"$eq": query.subdistrict_code}
    if query.sort != "status":  # a status sort reads the chosen statuses one by one (``segments``)
        where.update(status_filter(query.statuses))
    for flag in query.flags:
        where[flag] = {"$eq": True}
    registered: Doc = {}
    if query.registered_from:
        registered["$gte"] = thai_midnight(query.registered_from)
    upper = [thai_midnight(d + timedelta(days=1)) for d in (query.registered_to,) if d]
    if query.min_age_days is not None:
        upper.append(thai_midnight(today - timedelta(days=query.min_age_days - 1)))
    if upper:
        registered["$lt"] = min(upper)
    if registered:
        where[REGISTERED] = registered
    if query.assigned == "me":
        where["assigned_to"] = {"$eq": officer_sub}
    elif query.assigned == "none":
        where["assigned_to"] = {"$eq": None}
    if query.search is not None:
        where.update(_search(query.search))
    due_before = None
    if query.due == "overdue":
        due_before = today.isoformat()
    elif query.due == "within":
        due_before = (today + timedelta(days=query.due_days + 1)).isoformat()
    return Filter(where, due_before)


def status_filter(statuses: Sequence[Status]) -> Doc:
    if len(statuses) == 1:
        return {"status": {"$eq": statuses[0].value}}
    return {"status": {"$in": [s.value for s in statuses]}} if statuses else {}


def _search(search: Search) -> Doc:
    if search.kind == "receipt":
        return {"receipt_no": {"$eq": search.value}}
    if search.kind == "citizen_id":
        return {"citizen_id": {"$eq": search.value}}
    # A prefix as a range: indexable everywhere (a regex is not, on nx-27017).
    return {"name_key": {"$gte": search.value, "$lt": search.value + "\uffff"}}


# ---- the sort: segments read in order ----

@dataclass(frozen=True)
class Segment:
    """Rows matching ``where`` ordered by (``field``, receipt number); ``field`` None: by receipt number
    alone (the undated cases of a due-date sort)."""

    where: Doc
    field: str | None
    descending: bool


def segments(query: WorklistQuery, base: Filter) -> tuple[Segment, ...]:
    if query.sort == "status":
        chosen = query.statuses or STATUS_ORDER
        ordered = tuple(reversed(chosen)) if query.descending else chosen
        # Within a status, the newest registrations first.
        return tuple(Segment({"status": {"$eq": s.value}}, REGISTERED, True) for s in ordered)
    if query.sort == "due":
        dated = Segment({DUE: {"$gte": ""}}, DUE, query.descending)  # "" sorts below every date: "has a date"
        undated = Segment({DUE: {"$eq": None}}, None, False)
        # Undated cases last either way; a due filter leaves none of them.
        return (dated,) if base.due_before else (dated, undated)
    field_name = DEBT if query.sort == "debt" else REGISTERED
    return (Segment({}, field_name, query.descending),)


# ---- the finds ----

@dataclass(frozen=True)
class Find:
    """One find of a page: filter, sort, and a due date from which rows no longer count (see :func:`finds`)."""

    filter: Doc
    sort: list[tuple[str, int]]
    due_stop: str | None = None
    segment: int = 0
    field: str | None = None


def _order(field_name: str | None, descending: bool) -> list[tuple[str, int]]:
    direction = -1 if descending else 1
    return ([(field_name, direction)] if field_name else []) + [(TIE, direction)]


def finds(query: WorklistQuery, base: Filter, start: Position | None, *, before: bool = False) -> Iterator[Find]:
    """The finds that read the rows after ``start`` (or before it, nearest first, when ``before``), in page
    order; the caller stops when it has enough rows. Without ``start``, from the first row.

    The due-date bound: a find compares ``next_action_due`` once at most. Where the cursor also compares
    it, the cursor's comparison goes to the database and the bound is applied to the rows read (``due_stop``):
    they come in due-date order, so every row past the bound comes after every row within it."""
    parts = segments(query, base)
    indexes = range(start.segment if start else 0, -1, -1) if before else range(start.segment if start else 0,
                                                                                len(parts))
    for i in indexes:
        if i >= len(parts):
            continue
        seg = parts[i]
        descending = seg.descending != before  # reading backwards flips every order
        after, beyond = ("$lt", "$lt") if descending else ("$gt", "$gt")
        order = _order(seg.field, descending)
        if start is None or i != start.segment:
            yield _bounded(Find(_and(base.where, seg.where), order, segment=i, field=seg.field), seg, base,
                           descending)
            continue
        if seg.field is None:
            yield _bounded(Find(_and(base.where, seg.where, {TIE: {after: start.tie}}), order, segment=i), seg,
                           base, descending)
            continue
        if start.value is None:
            continue  # a value-less position in a valued segment: not one this plan made
        ties = Find(_and(base.where, seg.where, {seg.field: {"$eq": start.value}, TIE: {after: start.tie}}),
                    _order(None, descending), segment=i, field=seg.field)
        if seg.field != DUE or base.due_before is None:
            yield _bounded(ties, seg, base, descending)
        elif start.value < base.due_before:
            yield ties  # the position's own date is within the bound: no second comparison needed
        yield _bounded(Find(_and(base.where, seg.where, {seg.field: {beyond: start.value}}), order, segment=i,
                            field=seg.field), seg, base, descending)


def _bounded(find: Find, seg: Segment, base: Filter, descending: bool) -> Find:
    """``find`` with the due-date bound where it can go: into the filter if the find does not compare the due
    date yet, or tightening its own upper bound; else applied to the rows read (``due_stop``)."""
    if base.due_before is None:
        return find
    due = find.filter.get(DUE)
    dated = {op: v for op, v in due.items() if isinstance(v, str) and v} if isinstance(due, dict) else {}
    if not dated:
        return replace(find, filter=_and(find.filter, {DUE: {"$lt": base.due_before}}))
    if set(dated) == {"$lt"}:
        return replace(find, filter=_and(find.filter, {DUE: {"$lt": min(dated["$lt"], base.due_before)}}))
    assert seg.field == DUE and not descending, "only an ascending due-date read compares the due date from below"
    return replace(find, due_stop=base.due_before)



@dataclass(frozen=True)
class Plan:
    """Everything the read model runs for a page: the base filter, and where the page starts."""

    query: WorklistQuery
    filter: Filter
    cursor: Cursor | None = None


def plan(query: WorklistQuery, scope: Scope, officer_sub: str, today: date, secret: bytes) -> Plan:
    """The base filter and the cursor, if it belongs to this sort (a cursor from another sort, or altered,
    starts again at the first page)."""
    cursor = Cursor.decode(query.cursor, secret) if query.cursor else None
    if cursor is not None and (cursor.sort, cursor.descending) != (query.sort, query.descending):
        cursor = None
    return Plan(query, build_filter(query, scope, officer_sub, today), cursor)
