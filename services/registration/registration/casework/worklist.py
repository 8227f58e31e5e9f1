"""The district worklist: a read model over the ``cases`` collection (typed rows, keyset pages, counts per
status) and the indexes it needs. How a request becomes finds is in ``worklist_query``; this module runs
them, and keeps the one difference between MongoDB and the dev stand-in (``for_nx_27017``) here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection

from registration.cases.case import Status
from registration.cases.store import CaseRepository
from registration.casework.officers import OfficerDirectory
from registration.casework.worklist_cursor import Cursor, Position, field_value, sort_value
from registration.casework.worklist_nx import for_nx_27017
from registration.casework.worklist_query import Find, finds, plan
from registration.casework.worklist_request import DEBT, DUE, FLAGS, REGISTERED, TIE, Doc, Scope, WorklistQuery
from registration.kernel.receipts import thai_date

_D, _A = DESCENDING, ASCENDING
Keys = list[tuple[str, int]]
# The orders a worklist reads, each ending with the keyset's tie-breaker where it sorts.
_ORDERS: tuple[tuple[str, Keys], ...] = (
    ("registered", [(REGISTERED, _D), (TIE, _D)]),
    ("status", [("status", _A), (REGISTERED, _D), (TIE, _D)]),
    ("due", [(DUE, _A), (TIE, _A)]),
    ("debt", [(DEBT, _D), (TIE, _D)]),
    ("name", [("name_key", _A)]),
)


def _indexes() -> tuple[tuple[str, Keys], ...]:
    """Every order per scope (a district, a province, the nation); then searches and lists across scopes."""
    per_scope = [(f"worklist_{name}_{order}", [*prefix, *keys])
                 for name, prefix in (("district", [("district_code", _A)]), ("province", [("province_code", _A)]),
                                      ("nation", []))
                 for order, keys in _ORDERS]
    return (*per_scope,
            ("worklist_district_assigned", [("district_code", _A), ("assigned_to", _A), (REGISTERED, _D), (TIE, _D)]),
            ("worklist_citizen", [("citizen_id", _A), ("district_code", _A)]),
            ("worklist_transfer_to", [("transfer_to", _A), (REGISTERED, _D)]))


WORKLIST_INDEXES = _indexes()

# What a row shows, and no more.
PROJECTION: Doc = {name: 1 for name in (
    "receipt_no", "revision", "citizen_id", "debtor.title", "debtor.given_name", "debtor.family_name",
    "province_code", "district_code", "subdistrict_code", "status", REGISTERED, DUE, DEBT, *FLAGS,
    "assigned_to", "transfer_to")}


def ensure_worklist_indexes(cases: Collection[Doc]) -> None:
    """Creates the worklist's indexes, and the officer directory's (once; later calls find them there)."""
    for name, keys in WORKLIST_INDEXES:
        cases.create_index(keys, name=name)
    OfficerDirectory(cases.database).ensure_indexes()


def on_nx_27017(cases: Collection[Doc]) -> bool:
    """Whether the store is nx-27017, the dev stack's MongoDB stand-in (see ``for_nx_27017``)."""
    return cases.database.client.admin.command("buildInfo").get("process") == "nx_27017"


@dataclass(frozen=True)
class WorklistRow:
    case_id: str
    receipt_no: str
    revision: int
    title: str | None
    given_name: str
    family_name: str
    citizen_id: str
    province_code: str
    district_code: str
    subdistrict_code: str
    status: Status
    registered_at: datetime
    next_action_due: date | None
    outstanding_satang: int
    flags: tuple[str, ...]
    assigned_to: str | None
    transfer_to: str | None

    @property
    def name(self) -> str:
        return " ".join(p for p in (f"{self.title or ''}{self.given_name}", self.family_name) if p)

    @property
    def citizen_id_masked(self) -> str:
        """The last four digits only: enough to tell two people apart on a list."""
        return "x-xxxx-xxxxx-" + self.citizen_id[-4:-2] + "-" + self.citizen_id[-1:] if self.citizen_id else ""

    def overdue(self, today: date) -> bool:
        return self.next_action_due is not None and self.next_action_due < today

    @classmethod
    def of(cls, doc: Doc) -> WorklistRow:
        due = doc.get(DUE)
        registered = sort_value(doc, REGISTERED)
        if isinstance(registered, str):  # nx-27017 may hand back a time as text
            registered = datetime.fromisoformat(registered)
        return cls(
            case_id=doc["_id"], receipt_no=doc[TIE], revision=int(doc.get("revision") or 0),
            title=field_value(doc, "debtor.title"), given_name=field_value(doc, "debtor.given_name") or "",
            family_name=field_value(doc, "debtor.family_name") or "", citizen_id=doc.get("citizen_id") or "",
            province_code=doc.get("province_code") or "", district_code=doc.get("district_code") or "",
            subdistrict_code=doc.get("subdistrict_code") or "", status=Status(doc.get("status") or Status.NEW),
            registered_at=registered if isinstance(registered, datetime) else datetime.min.replace(tzinfo=UTC),
            next_action_due=date.fromisoformat(due) if isinstance(due, str) and due else None,
            outstanding_satang=int(sort_value(doc, DEBT) or 0),
            flags=tuple(f for f in FLAGS if doc.get(f) is True),
            assigned_to=doc.get("assigned_to"), transfer_to=doc.get("transfer_to"),
        )


@dataclass(frozen=True)
class WorklistPage:
    rows: tuple[WorklistRow, ...]
    next_cursor: str | None  # the page after the last row, if there are more
    prev_cursor: str | None  # the page before the first row, unless this is the first page


class Worklist:
    def __init__(self, cases: Collection[Doc], secret: bytes, *, nx_27017: bool | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.cases = cases
        self.secret = secret
        self.clock = clock
        self._nx = nx_27017

    @classmethod
    def over(cls, repository: CaseRepository, secret: bytes) -> Worklist:
        """The worklist of the repository's cases; ``secret`` signs its cursors."""
        return cls(repository.cases, secret)

    @property
    def nx_27017(self) -> bool:
        if self._nx is None:
            self._nx = on_nx_27017(self.cases)
        return self._nx

    def today(self) -> date:
        return thai_date(self.clock())

    def for_store(self, where: Doc) -> Doc:
        """``where`` as this store runs it from an index (``for_nx_27017`` on the dev stand-in)."""
        return for_nx_27017(where) if self.nx_27017 else where

    def page(self, query: WorklistQuery, scope: Scope, officer_sub: str) -> WorklistPage:
        """One page of the scope's cases matching ``query``, from its cursor (or the first page)."""
        p = plan(query, scope, officer_sub, self.today(), self.secret)
        need = query.size + 1  # one more than shown: is there another page?
        cursor = p.cursor
        if cursor is None:
            got = self._read(finds(query, p.filter, None), need)
            return self._page(query, got[:query.size], more_after=len(got) > query.size, more_before=False)
        if cursor.before:
            got = self._read(finds(query, p.filter, cursor.position, before=True), need)
            return self._page(query, list(reversed(got[:query.size])), more_after=True,
                              more_before=len(got) > query.size)
        got = self._read(finds(query, p.filter, cursor.position), need)
        return self._page(query, got[:query.size], more_after=len(got) > query.size, more_before=True)

    def _page(self, query: WorklistQuery, got: list[tuple[WorklistRow, Position]], *, more_after: bool,
              more_before: bool) -> WorklistPage:
        def link(position: Position, before: bool) -> str:
            return Cursor(query.sort, query.descending, position, before).encode(self.secret)

        return WorklistPage(
            tuple(row for row, _ in got),
            link(got[-1][1], False) if got and more_after else None,
            link(got[0][1], True) if got and more_before else None,
        )

    def _read(self, plan_finds: Iterable[Find], need: int) -> list[tuple[WorklistRow, Position]]:
        got: list[tuple[WorklistRow, Position]] = []
        for find in plan_finds:
            for doc in self._run(find, need - len(got)):
                got.append((WorklistRow.of(doc), Position(find.segment, sort_value(doc, find.field), doc[TIE])))
            if len(got) >= need:
                break
        return got

    def _run(self, find: Find, limit: int) -> Iterator[Doc]:
        for doc in self.cases.find(self.for_store(find.filter), PROJECTION).sort(find.sort).limit(limit):
            if find.due_stop is not None and (doc.get(DUE) or "") >= find.due_stop:
                return  # in due-date order: every row from here on is past the bound
            yield doc

    def counts(self, query: WorklistQuery, scope: Scope) -> dict[Status, int]:
        """Cases per status in the scope (narrowed to the chosen province or district): one aggregate that an
        index answers. The other filters do not narrow the counts; the page says so."""
        where = scope.filter()
        if scope.level == "nation" and query.province_code:
            where["province_code"] = {"$eq": query.province_code}
        if scope.level != "district" and query.district_code and query.district_code.startswith(
                where.get("province_code", {}).get("$eq", "")):
            where["district_code"] = {"$eq": query.district_code}
        found = {s: 0 for s in Status}
        for group in self.cases.aggregate([{"$match": self.for_store(where)},
                                           {"$group": {"_id": "$status", "n": {"$sum": 1}}}]):
            if group["_id"] in Status._value2member_map_:
                found[Status(group["_id"])] = int(group["n"])
        return found

    def incoming_transfers(self, district_code: str, limit: int = 200) -> list[WorklistRow]:
        """Cases other districts ask this district to take over, oldest registration first."""
        where = {"transfer_to": {"$eq": district_code}}
        found = self.cases.find(self.for_store(where), PROJECTION).sort([(REGISTERED, 1), (TIE, 1)]).limit(limit)
        return [WorklistRow.of(doc) for doc in found]

    def explain(self, query: WorklistQuery, scope: Scope, officer_sub: str) -> list[tuple[Doc, Any]]:
        """Each find of the query's first page with the store's plan for it (``uses_index`` reads one)."""
        p = plan(query.without_cursor(), scope, officer_sub, self.today(), self.secret)
        out: list[tuple[Doc, Any]] = []
        for find in finds(query, p.filter, None):
            where = self.for_store(find.filter)
            command = {"find": self.cases.name, "filter": where, "sort": dict(find.sort), "limit": query.size + 1}
            out.append((where, self.cases.database.command("explain", command, verbosity="queryPlanner")))
        return out


def uses_index(explained: Doc) -> list[str]:
    """The indexes a plan reads, from MongoDB's plan tree (IXSCAN stages) or nx-27017's (SQLite's "USING
    INDEX" lines); empty if it scans the collection."""
    plan_root = explained.get("queryPlanner", {}).get("winningPlan", {})
    if isinstance(plan_root, list):  # nx-27017: SQLite's EXPLAIN QUERY PLAN lines
        details = [str(step.get("detail", "")) for step in plan_root]
        if any(d.startswith("SCAN ") and "INDEX" not in d and "json_each" not in d for d in details):
            return []
        return [d.split(" INDEX ", 1)[1].split(" ", 1)[0] for d in details if " INDEX " in d and "json_each" not in d]
    names: list[str] = []

    def walk(stage: Doc) -> bool:
        if stage.get("stage") == "COLLSCAN":
            return False
        if stage.get("stage") == "IXSCAN":
            names.append(str(stage.get("indexName")))
        inner = [stage.get("inputStage"), *(stage.get("inputStages") or [])]
        return all(walk(s) for s in inner if isinstance(s, dict))

    return names if walk(plan_root) else []
