"""What a worklist page asks for: the query, who is asking (scope), and reading it from a GET form.

Kept apart from the MongoDB finds (``worklist_query``) so the pages can offer the choices (FLAGS, SORTS,
PAGE_SIZES, STATUS_ORDER) and read a form without pulling in the keyset machinery."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from registration.cases.case import Status
from registration.kernel.receipts import parse_receipt
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
