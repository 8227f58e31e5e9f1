"""Merging find conditions, and rewriting a filter for the dev stand-in (nx-27017).

Kept apart from the plan (``worklist_query``) because it is a workaround for one backend: a real MongoDB
gets the plan's filters unchanged; only nx-27017 needs datetimes as text and the due date in ``$expr``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from registration.casework.worklist_request import DUE, Doc

_TIGHTER: dict[str, Any] = {"$lt": min, "$lte": min, "$gt": max, "$gte": max}


def merge_conditions(*parts: Doc) -> Doc:
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
                kept = merge_conditions({"": kept}, {"": _day_bounds(op, value)})[""]
            else:
                kept = merge_conditions({"": kept}, {"": {op: value}})[""]
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
