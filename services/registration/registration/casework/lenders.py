"""Creditor cross-reference: the same lender across debtors, on the case page and as a list.

Every case stores its creditors' keys (``lender_keys``: ``phone:+66…``, ``name:…``, built by
``kernel.lender_keys``), so one multikey index finds every case naming a lender. A phone match and a name
match are reported separately and never merged: names are shared by unrelated lenders, phones rarely.
There is no ID-number match because the registration does not ask for the lender's ID.

Who sees what follows ``contracts.access.worklist_scope``: a district officer sees their district (with the
receipt numbers of its cases), a province officer their province by district (counts), DOPA the nation.
The list shows lenders' names and phone numbers, personal data of the lender, so each view of it is audited
(``lender.list``); the case panel adds no one's name or phone to what its case page already shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from pymongo import ASCENDING, UpdateOne
from pymongo.collection import Collection

from contracts import codec
from contracts.access import covers_scope, may_read_casework, worklist_scope
from contracts.claims import Claims
from registration.cases.case import Case
from registration.cases.docs import Doc
from registration.cases.errors import Forbidden, NotFound
from registration.cases.events import Actor, AuditAction, audit_recorded
from registration.cases.store import CaseRepository
from registration.kernel import admin_areas
from registration.kernel.lender_keys import creditor_keys, key_kind, key_value, lender_keys

LENDER_LIST = "lender.list"  # the audit action of a view of the list
MAX_LENDERS = 100  # rows of the list: the lenders with most debtors
MAX_RECEIPTS = 50  # receipt numbers shown per lender or key
MAX_SPELLINGS = 5  # names and numbers shown per lender
MAX_MATCHED_CASES = 5000  # other cases read for one case's panel; more would be one lender, and still counted
Scope = tuple[str, str]


def ensure_lender_indexes(cases: Collection[Doc]) -> None:
    """The multikey index the cross-reference reads, and keys for cases stored before there were keys."""
    cases.create_index([("lender_keys", ASCENDING), ("province_code", ASCENDING), ("district_code", ASCENDING)],
                       name="lender_keys")
    _backfill(cases)


def _backfill(cases: Collection[Doc], batch: int = 500) -> None:
    """Keys for cases without them. Each write is conditional on the revision read, so a case changed in
    the meantime keeps the keys its change wrote."""
    writes: list[UpdateOne] = []
    for doc in cases.find({"lender_keys": {"$exists": False}}, {"revision": 1, "creditors": 1}):
        keys = lender_keys(_Named(c) for c in doc.get("creditors") or ())
        writes.append(UpdateOne({"_id": doc["_id"], "revision": doc.get("revision"),
                                 "lender_keys": {"$exists": False}}, {"$set": {"lender_keys": keys}}))
        if len(writes) >= batch:
            cases.bulk_write(writes, ordered=False)
            writes = []
    if writes:
        cases.bulk_write(writes, ordered=False)


@dataclass(frozen=True)
class _Named:
    """A stored creditor as the key builder reads it."""

    raw: Mapping[str, Any]

    @property
    def name(self) -> str | None:
        value = self.raw.get("name")
        return value if isinstance(value, str) else None

    @property
    def phone(self) -> str | None:
        value = self.raw.get("phone")
        return value if isinstance(value, str) else None


# ---- what the pages show ----

@dataclass(frozen=True)
class KeyMatches:
    """The cases (this one included) naming a creditor by one key, in the case's district and province."""

    key: str
    district_debtors: int
    province_debtors: int
    by_district: tuple[tuple[str, int], ...] = ()  # (district code, debtors), for province and DOPA viewers
    receipts: tuple[tuple[str, str], ...] = ()  # (receipt no, case id) of the district's other cases, for its
    # district officer

    @property
    def kind(self) -> str:
        return key_kind(self.key)

    @property
    def value(self) -> str:
        return key_value(self.key)

    @property
    def others(self) -> int:
        return self.province_debtors - 1


@dataclass(frozen=True)
class CreditorMatches:
    number: int  # the creditor's place on the case, from 1
    name: str | None
    phone: str | None
    keys: tuple[KeyMatches, ...]

    @property
    def shared(self) -> bool:
        return any(k.others for k in self.keys)


@dataclass(frozen=True)
class CasePanel:
    district_code: str
    province_code: str
    creditors: tuple[CreditorMatches, ...]
    shows_receipts: bool  # the viewer is a district officer of the case's district
    shows_districts: bool  # the viewer oversees the province (or the nation)
    truncated: bool = False  # more matching cases than were read; counts are lower bounds

    @property
    def any_shared(self) -> bool:
        return any(c.shared for c in self.creditors)


@dataclass
class LenderRow:
    """One lender (one key) in an area: how many debtors name them and what is owed to them."""

    key: str
    debtors: int = 0
    outstanding_satang: int = 0  # owed to this lender by these debtors
    excessive: int = 0  # debtors with a debt above the legal rate to this lender
    threatened: int = 0  # debtors this lender threatened
    names: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    by_district: Counter[str] = field(default_factory=Counter)
    receipts: list[tuple[str, str]] = field(default_factory=list)  # (receipt no, case id), district viewers

    @property
    def kind(self) -> str:
        return key_kind(self.key)

    @property
    def value(self) -> str:
        return key_value(self.key)

    @property
    def districts(self) -> list[tuple[str, int]]:
        return sorted(self.by_district.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True)
class LenderList:
    scope: Scope  # what is listed: ("district", "4701"), ("province", "47") or ("nation", "TH")
    viewer_scope: Scope
    min_debtors: int
    lenders: tuple[LenderRow, ...]
    shows_receipts: bool

    @property
    def districts(self) -> tuple[admin_areas.Area, ...]:
        """Districts the viewer may narrow the list to."""
        level, code = self.viewer_scope
        if level == "province":
            return admin_areas.districts_of(code)
        if level == "nation" and self.scope[0] != "nation":
            return admin_areas.districts_of(self.scope[1][:2])
        return ()


# ---- the use cases ----

class Lenders:
    def __init__(self, cases: CaseRepository, on_commit: Callable[[], None] = lambda: None) -> None:
        self.cases = cases
        self.on_commit = on_commit

    @classmethod
    def install(cls, cases: CaseRepository, env: Environment,
                on_commit: Callable[[], None] = lambda: None) -> Lenders:
        """Built once in the lifespan: ensures the index and lets the case page's panel ask
        ``lenders_for(case)`` (the signed-in ``user`` comes from the page's context)."""
        lenders = cls(cases, on_commit)
        ensure_lender_indexes(cases.cases)

        @pass_context
        def lenders_for(context: Context, case: Case) -> CasePanel | None:
            user = context.get("user")
            return lenders.for_case(case, user) if isinstance(user, Claims) and isinstance(case, Case) else None

        env.globals["lenders_for"] = lenders_for
        return lenders

    def for_case(self, case: Case, claims: Claims) -> CasePanel | None:
        """Each creditor of ``case`` and the other cases naming it, in the case's province; None for a viewer
        who may not read the case's casework."""
        scope = worklist_scope(claims)
        if scope is None or not may_read_casework(claims, case.location):
            return None
        own_district = scope == ("district", case.district_code)
        keys = lender_keys(case.creditors)
        others: list[Doc] = []
        if keys:
            others = list(self.cases.cases.find(
                {"lender_keys": {"$in": keys}, "province_code": case.province_code, "_id": {"$ne": case.id}},
                {"receipt_no": 1, "district_code": 1, "lender_keys": 1}, limit=MAX_MATCHED_CASES + 1))
        truncated = len(others) > MAX_MATCHED_CASES
        others = sorted(others[:MAX_MATCHED_CASES], key=lambda d: str(d.get("receipt_no")))
        creditors = tuple(
            CreditorMatches(i, c.name, c.phone, tuple(_key_matches(key, case, others, own_district)
                                                       for key in creditor_keys(c)))
            for i, c in enumerate(case.creditors, start=1))
        return CasePanel(case.district_code, case.province_code, creditors, shows_receipts=own_district,
                         shows_districts=scope[0] != "district", truncated=truncated)

    def in_area(self, claims: Claims, actor: Actor, *, district: str | None = None, province: str | None = None,
                min_debtors: int = 2) -> LenderList:
        """Lenders named by at least ``min_debtors`` debtors in the viewer's area (or the district or province
        they narrow it to), most debtors first. Recorded in the audit trail, allowed or refused."""
        viewer = worklist_scope(claims)
        try:
            scope = _area(viewer, district, province)
        except (Forbidden, NotFound):
            self._audit(actor, allowed=False, target=district or province)
            raise
        assert viewer is not None
        self._audit(actor, allowed=True, target=f"{scope[0]}:{scope[1]}")
        rows = self._lenders(scope, max(1, min_debtors), shows_receipts=scope[0] == "district")
        return LenderList(scope, viewer, min_debtors, rows, shows_receipts=scope[0] == "district")

    def _audit(self, actor: Actor, *, allowed: bool, target: str | None) -> None:
        # The shared builder names case actions; this one names an area, so action and target are set here
        # and the record checked against its contract again.
        event = {**audit_recorded(actor, AuditAction.READ, allowed, None), "action": LENDER_LIST,
                 "target": target[:128] if target else None}
        codec.validate_for_produce(event)
        self.cases.record(event)
        self.on_commit()

    def _lenders(self, scope: Scope, min_debtors: int, *, shows_receipts: bool) -> tuple[LenderRow, ...]:
        where = _where(scope)
        # Two steps: count debtors per key in the database (the keys are indexed and one per case), then read
        # only the top lenders' cases to add what each one is owed, which needs each creditor's own debts.
        counted = self.cases.cases.aggregate([
            {"$match": where}, {"$unwind": "$lender_keys"},
            {"$group": {"_id": "$lender_keys", "debtors": {"$sum": 1}}},
            {"$match": {"debtors": {"$gte": min_debtors}}},
            {"$sort": {"debtors": -1, "_id": 1}}, {"$limit": MAX_LENDERS},
        ])
        rows = {str(c["_id"]): LenderRow(str(c["_id"])) for c in counted}
        if not rows:
            return ()
        docs = self.cases.cases.find({**where, "lender_keys": {"$in": list(rows)}},
                                     {"receipt_no": 1, "district_code": 1, "creditors": 1})
        for doc in sorted(docs, key=lambda d: str(d.get("receipt_no"))):
            _add_case(rows, doc, shows_receipts)
        kept = (r for r in rows.values() if r.debtors >= min_debtors)  # keys stored before a creditor changed
        return tuple(sorted(kept, key=lambda r: (-r.debtors, -r.outstanding_satang, r.key)))


def _area(viewer: Scope | None, district: str | None, province: str | None) -> Scope:
    """What the list covers: the viewer's own area, or a district (a province for DOPA) within it."""
    if viewer is None:
        raise Forbidden("casework.no_worklist", "หน้านี้สำหรับเจ้าหน้าที่อำเภอ จังหวัด และกรมการปกครอง",
                        "This page is for district, province and DOPA officers.")
    if viewer[0] == "district":
        return viewer  # a district officer's list is their district, whatever they ask for
    if district:
        area = admin_areas.district(district)
        if area is None:
            raise NotFound("area.unknown", "ไม่พบอำเภอนี้", "No such district.")
        if not covers_scope(viewer, district[:2], district):
            raise Forbidden("casework.out_of_area", "อำเภอนี้อยู่นอกพื้นที่ที่ท่านดูแล",
                            "This district is outside your area.")
        return ("district", district)
    if province and viewer[0] == "nation":
        if admin_areas.province(province) is None:
            raise NotFound("area.unknown", "ไม่พบจังหวัดนี้", "No such province.")
        return ("province", province)
    return viewer


def _where(scope: Scope) -> dict[str, Any]:
    level, code = scope
    if level == "district":
        return {"district_code": code}
    if level == "province":
        return {"province_code": code}
    return {}


def _key_matches(key: str, case: Case, others: Sequence[Doc], own_district: bool) -> KeyMatches:
    naming = [d for d in others if key in (d.get("lender_keys") or ())]
    by_district = Counter(str(d.get("district_code")) for d in naming)
    by_district[case.district_code] += 1  # this case
    in_district = [(str(d.get("receipt_no")), str(d["_id"])) for d in naming
                   if d.get("district_code") == case.district_code]
    return KeyMatches(
        key, district_debtors=by_district[case.district_code], province_debtors=len(naming) + 1,
        by_district=tuple(sorted(by_district.items(), key=lambda item: (-item[1], item[0]))),
        receipts=tuple(in_district[:MAX_RECEIPTS]) if own_district else (),
    )


def _add_case(rows: dict[str, LenderRow], doc: Doc, shows_receipts: bool) -> None:
    """One case's part in each listed lender it names: one debtor, with what it owes that lender (a lender
    listed twice on a case, say under two spellings, is still one debtor)."""
    owed: dict[str, tuple[int, bool, bool]] = {}
    for raw in doc.get("creditors") or ():
        creditor = _Named(raw)
        debts = raw.get("debts") or ()
        for key in creditor_keys(creditor):
            row = rows.get(key)
            if row is None:
                continue
            outstanding, excessive, threatened = owed.get(key, (0, False, False))
            owed[key] = (outstanding + sum(int(d.get("outstanding_satang") or 0) for d in debts),
                         excessive or any(d.get("excessive_interest") for d in debts),
                         threatened or any(d.get("threatened") for d in debts))
            _remember(row.names, creditor.name)
            _remember(row.phones, creditor.phone)
    for key, (outstanding, excessive, threatened) in owed.items():
        row = rows[key]
        row.debtors += 1
        row.outstanding_satang += outstanding
        row.excessive += excessive
        row.threatened += threatened
        row.by_district[str(doc.get("district_code"))] += 1
        if shows_receipts and len(row.receipts) < MAX_RECEIPTS:
            row.receipts.append((str(doc.get("receipt_no")), str(doc["_id"])))


def _remember(seen: list[str], value: str | None) -> None:
    if value and value not in seen and len(seen) < MAX_SPELLINGS:
        seen.append(value)
