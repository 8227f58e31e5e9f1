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

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from registration.cases.case import Status
from registration.kernel.receipts import THAI_TIME, parse_receipt
from registration.kernel.thai import FieldError, normalise_digits, parse_citizen_id, parse_past_date

Doc = dict[str, Any]
Level = Literal["district", "province", "nation"]

TIE = "receipt_no"  # unique on every case: the keyset's tie-breaker
DUE = "next_action_due"
REGISTERED = "created_at"
DEBT = "totals.outstanding_satang"
FLAGS = ("excessive_interest", "threatened", "collateral_held")
SORTS = ("registered", "due", "status", "debt")
STATUS_ORDER: tuple[Status, ...] = tuple(Status)  # workflow order, as the enum lists them
PAGE_SIZES = (25, 50, 100)
MAX_DUE_DAYS = 366
MAX_AGE_DAYS = 3660


@dataclass(frozen=True)
class Scope:
    """Whose cases a worklist holds (``contracts.access.worklist_scope``). Only a district works its cases;
    a province and the nation read theirs."""

    level: Level
    code: str

    @property
    def read_only(self) -> bool:
        return self.level != "district"

    def filter(self) -> Doc:
        if self.level == "district":
            return {"district_code": {"$eq": self.code}}
        if self.level == "province":
            return {"province_code": {"$eq": self.code}}
        return {}


@dataclass(frozen=True)
class Search:
    kind: Literal["receipt", "citizen_id", "name"]
    value: str


@dataclass(frozen=True)
class WorklistQuery:
    statuses: tuple[Status, ...] = ()
    flags: tuple[str, ...] = ()
    province_code: str | None = None  # the nation's view narrowed to a province
    district_code: str | None = None  # a province's (or the nation's) view narrowed to a district
    subdistrict_code: str | None = None
    registered_from: date | None = None  # Thai calendar days, inclusive
    registered_to: date | None = None
    min_age_days: int | None = None  # registered at least this many days ago
    due: Literal["overdue", "within"] | None = None
    due_days: int = 7  # "within": due on or before today + due_days (overdue included)
    assigned: Literal["me", "none"] | None = None
    search: Search | None = None
    sort: str = "registered"
    descending: bool = True
    cursor: str | None = None
    size: int = 50

    def without_cursor(self) -> WorklistQuery:
        return replace(self, cursor=None)


# ---- reading a GET form ----

def _error(code: str, th: str, en: str, name: str) -> FieldError:
    return FieldError(code, th, en, name)


def _one(params: Mapping[str, Sequence[str]], name: str, limit: int = 100) -> str:
    values = params.get(name) or ()
    return values[0].strip()[:limit] if values else ""


def _day_count(raw: str, name: str, maximum: int, errors: list[FieldError]) -> int | None:
    digits = normalise_digits(raw)
    if not digits:
        return None
    if not digits.isascii() or not digits.isdigit() or not 0 <= int(digits) <= maximum:
        errors.append(_error("worklist.days", f"กรุณากรอกจำนวนวันเป็นตัวเลข 0 ถึง {maximum}",
                             f"Enter a number of days from 0 to {maximum}.", name))
        return None
    return int(digits)


def _day(raw: str, name: str, today: date, errors: list[FieldError]) -> date | None:
    if not raw:
        return None
    try:
        return parse_past_date(raw, today)
    except FieldError as problem:
        errors.append(problem.with_field(name))
        return None


_RECEIPT_TYPED = re.compile(r"[0-9๐-๙]{2}\s*-\s*[0-9๐-๙]{4}\s*-\s*[0-9๐-๙]+")


def parse_search(raw: str) -> Search | FieldError | None:
    """A receipt number, a 13-digit citizen ID, or the start of a name (given name first)."""
    text = " ".join(raw.split())
    if not text:
        return None
    digits = normalise_digits(text)
    # 13 digits are a citizen ID (grouped 1-2345-67890-12-3 or not); a receipt is typed 47-2569-000123.
    receipt = None if len(digits) == 13 and not _RECEIPT_TYPED.fullmatch(text) else parse_receipt(text)
    if receipt is not None:
        return Search("receipt", receipt)
    if digits.isascii() and digits.isdigit():
        try:
            return Search("citizen_id", parse_citizen_id(digits))
        except FieldError as problem:
            return problem.with_field("q")
    if len(text) < 2:
        return _error("worklist.search_short", "กรุณากรอกชื่ออย่างน้อย 2 ตัวอักษร",
                      "Type at least 2 letters of the name.", "q")
    return Search("name", text.lower())


def parse_query(params: Mapping[str, Sequence[str]], today: date) -> tuple[WorklistQuery, list[FieldError]]:
    """The worklist query from a GET form's fields (each name to its values). Unknown choices are ignored;
    values that cannot be read come back as field errors and are left out of the query."""
    errors: list[FieldError] = []
    statuses = tuple(s for s in STATUS_ORDER if s.value in set(params.get("status") or ()))
    flags = tuple(f for f in FLAGS if f in set(params.get("flag") or ()))
    sort = _one(params, "sort")
    due = _one(params, "due")
    assigned = _one(params, "assigned")
    size = _one(params, "size")
    registered_from = _day(_one(params, "from"), "from", today, errors)
    registered_to = _day(_one(params, "to"), "to", today, errors)
    if registered_from and registered_to and registered_from > registered_to:
        errors.append(_error("worklist.date_range", "วันที่เริ่มต้นต้องไม่หลังวันที่สิ้นสุด",
                             "The start date must not be after the end date.", "to"))
        registered_to = None
    search = parse_search(_one(params, "q", 120))
    if isinstance(search, FieldError):
        errors.append(search)
        search = None
    due_days = _day_count(_one(params, "due_days"), "due_days", MAX_DUE_DAYS, errors)
    query = WorklistQuery(
        statuses=statuses, flags=flags,
        province_code=_code(_one(params, "province"), 2), district_code=_code(_one(params, "district"), 4),
        subdistrict_code=_code(_one(params, "subdistrict"), 6),
        registered_from=registered_from, registered_to=registered_to,
        min_age_days=_day_count(_one(params, "age"), "age", MAX_AGE_DAYS, errors),
        due="overdue" if due == "overdue" else "within" if due == "within" else None,
        due_days=7 if due_days is None else due_days,
        assigned="me" if assigned == "me" else "none" if assigned == "none" else None,
        search=search, sort=sort if sort in SORTS else "registered",
        descending=_one(params, "order") != "asc",
        cursor=_one(params, "cursor", 1000) or None,
        size=int(size) if size in {str(s) for s in PAGE_SIZES} else 50,
    )
    return query, errors


def _code(raw: str, length: int) -> str | None:
    digits = normalise_digits(raw)
    return digits if len(digits) == length and digits.isascii() and digits.isdigit() else None


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


# ---- the cursor ----

@dataclass(frozen=True)
class Position:
    """Where a page starts or ends: a segment and a row's (sort value, receipt number)."""

    segment: int
    value: Any
    tie: str


@dataclass(frozen=True)
class Cursor:
    sort: str
    descending: bool
    position: Position
    before: bool  # True: the page before this position ("previous"), else the page after it

    def encode(self, secret: bytes) -> str:
        body = json.dumps([self.sort, int(self.descending), self.position.segment, _plain(self.position.value),
                           self.position.tie, int(self.before)], ensure_ascii=True, separators=(",", ":"))
        payload = base64.urlsafe_b64encode(body.encode()).rstrip(b"=")
        return (payload + b"." + _mac(secret, payload)).decode()

    @classmethod
    def decode(cls, token: str, secret: bytes) -> Cursor | None:
        """The cursor a link carried, or None if it was altered, truncated or is not one of ours."""
        payload, _, mac = token.encode("ascii", "replace").partition(b".")
        if not payload or not hmac.compare_digest(_mac(secret, payload), mac):
            return None
        try:
            raw = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
            sort, descending, segment, value, tie, before = raw
            value = _typed(value)
        except (ValueError, TypeError, binascii.Error):
            return None
        if (sort not in SORTS or not isinstance(segment, int) or not 0 <= segment < 64 or not isinstance(tie, str)
                or descending not in (0, 1) or before not in (0, 1)):
            return None
        return cls(sort, bool(descending), Position(segment, value, tie), bool(before))


def _mac(secret: bytes, payload: bytes) -> bytes:
    digest = hmac.new(secret, b"worklist-cursor:" + payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.astimezone(UTC).isoformat()}
    if value is None or (isinstance(value, str | int) and not isinstance(value, bool)):
        return value
    raise TypeError(f"not a sort value: {value!r}")


def _typed(raw: Any) -> Any:
    if isinstance(raw, dict) and set(raw) == {"t"} and isinstance(raw["t"], str):
        moment = datetime.fromisoformat(raw["t"])
        if moment.tzinfo is None:
            raise ValueError("naive time in a cursor")
        return moment
    if raw is None or (isinstance(raw, str | int) and not isinstance(raw, bool)):
        return raw
    raise ValueError(f"not a sort value: {raw!r}")


def sort_value(doc: Doc, field_name: str | None) -> Any:
    """A row's value of a sort field (dotted paths into sub-documents)."""
    if field_name is None:
        return None
    value: Any = field_value(doc, field_name)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # a client without tz_aware: stored times are UTC
    return value


def field_value(doc: Doc, path: str) -> Any:
    """A projected field by its dotted path. nx-27017 returns a projected sub-field under its dotted name
    (``{"debtor.given_name": …}``), MongoDB nested (``{"debtor": {"given_name": …}}``): both are read."""
    if path in doc:
        return doc[path]
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


# ---- the finds ----

@dataclass(frozen=True)
class Find:
    """One find of a page: filter, sort, and a due date from which rows no longer count (see :func:`finds`)."""

    filter: Doc
    sort: list[tuple[str, int]]
    due_stop: str | None = None
    segment: int = 0
    field: str | None = None


_TIGHTER: dict[str, Any] = {"$lt": min, "$lte": min, "$gt": max, "$gte": max}


def _and(*parts: Doc) -> Doc:
    """Conditions of all ``parts``; conditions on one field are merged into one operator document (of two
    bounds of one kind, the tighter: a cursor's position and a filter's range may both bound a field)."""
    merged: Doc = {}
    for part in parts:
        for name, condition in part.items():
            if name not in merged:
                merged[name] = dict(condition) if isinstance(condition, dict) else condition
                continue
            if not (isinstance(merged[name], dict) and isinstance(condition, dict)):
                raise ValueError(f"cannot merge conditions on {name}")
            for op, value in condition.items():
                have = merged[name].get(op, value)
                if op in _TIGHTER:
                    merged[name][op] = _TIGHTER[op](have, value)
                elif have != value:
                    raise ValueError(f"conflicting {op} on {name}")
                else:
                    merged[name][op] = value
    return merged


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


# ---- the dev stand-in ----

def for_nx_27017(where: Doc) -> Doc:
    """The same filter as nx-27017 (the dev MongoDB stand-in) can run it in SQL from an index.

    nx-27017 stores a datetime as the JSON text ``{"$date":"<ISO, naive UTC>"}`` and hands any filter holding a
    datetime, or a string that looks like a date, to a slow path (every matching document loaded and sorted in
    Python, the limit applied last). So a datetime bound is given as that very text (compared as text, which
    orders like the time), and the one due-date comparison a find may hold goes into ``$expr`` (evaluated in
    SQL beside the index; ``$expr`` takes one comparison only), with index bounds near the day (``_day_bounds``).
    A real MongoDB gets the filter unchanged."""
    out: Doc = {}
    expr: list[Doc] = []
    for name, condition in where.items():
        if not isinstance(condition, dict):
            out[name] = condition
            continue
        kept: Doc = {}
        for op, value in condition.items():
            if isinstance(value, datetime):
                kept[op] = nx_time(value)
            elif name == DUE and isinstance(value, str) and value:
                expr.append({op: [f"${name}", value]})
                kept = _and({"": kept}, {"": _day_bounds(op, value)})[""]
            else:
                kept = _and({"": kept}, {"": {op: value}})[""]
        if kept:
            out[name] = kept
    if len(expr) > 1:
        raise ValueError("nx-27017 takes one due-date comparison per find")
    if expr:
        out["$expr"] = expr[0]
    return out


def _day_bounds(op: str, day: str) -> Doc:
    """Index bounds around a comparison with an ISO date that nx-27017 does not take for a date: strings of nine
    characters (``"2026-12-1"``: the ten days 10 to 19 December) bracket the day, so the index is read from near
    the day on and ``$expr`` decides the rest."""
    if len(day) != 10 or not day[8].isdigit():
        return {}
    low, high = day[:9], day[:8] + chr(ord(day[8]) + 1)
    if op == "$eq":
        return {"$gte": low, "$lt": high}
    return {"$gte": low} if op in ("$gt", "$gte") else {"$lt": high}


def nx_time(moment: datetime) -> str:
    """A datetime as nx-27017 stores it: BSON's milliseconds, naive UTC, Python's ISO format."""
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    utc = utc.replace(microsecond=utc.microsecond // 1000 * 1000)
    return json.dumps({"$date": utc.isoformat()}, separators=(",", ":"))


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
