"""The totals recomputed from registration's figures export, with the code the stream uses. Pure: no I/O.

Each export line is one case as it stands in registration's database: its unit, revision, status and
``facts`` (what its latest case event carries) and its accepted transfers. The stream keeps, per case, the
join of its events (``totals.cases.CaseRecord``) and states its figures to every district it has been in
(``totals.cases.statements``: ``contribution`` where it is now, ``transfer_figures`` where it moved); here
the same record is built from the line, so the same functions state the same figures. District figures are
summed up to province and nation by ``totals.rollup.RollUp``, as every reader of the ``totals`` topic does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reporting.totals.cases import CaseRecord, statements
from reporting.totals.districts import TotalsRow
from reporting.totals.events import Transfer, snapshot_of, transfer_of
from reporting.totals.figures import NATION, ImpossibleFigures, add
from reporting.totals.rollup import RollUp, roll_up

Line = Mapping[str, Any]


def record_of(line: Line) -> CaseRecord:
    """The case's record as the stream would hold it after its latest event. Raises ``ImpossibleFigures``
    for a line no case can have (checked as an event is)."""
    if line.get("kind") != "case":
        raise ImpossibleFigures(f"not a case line: kind={line.get('kind')!r}")
    # The line's fields are those of a case event (CaseUpdated stands for "the case as it is now"), so the
    # stream's own reading of an event checks and reads them.
    event = {name: line.get(name) for name in ("case_id", "revision", "province_code", "district_code", "status",
                                               "facts")}
    case = snapshot_of({**event, "event_type": "CaseUpdated"})
    if case is None or case.facts is None:
        raise ImpossibleFigures(f"case line without facts: {line.get('case_id')!r}")
    transfers = frozenset(_transfer(position, raw) for position, raw in enumerate(line.get("transfers") or (), 1))
    districts = {case.district_code, *(t.from_district for t in transfers), *(t.to_district for t in transfers)}
    return CaseRecord(case_id=case.case_id, revisions=frozenset({case.revision}), latest=case,
                      facts=(case.revision, case.facts), channel=case.channel, districts=frozenset(districts),
                      transfers=transfers)


def _transfer(position: int, raw: Any) -> Transfer:
    """A transfer's revision only tells transfers apart in the record's set; its position does that here."""
    if not isinstance(raw, Mapping):
        raise ImpossibleFigures(f"transfer={raw!r}")
    moved = transfer_of({"event_type": "CaseTransferred", "revision": position,
                         "from_province_code": raw.get("from_province_code"),
                         "from_district_code": raw.get("from_district_code"),
                         "province_code": raw.get("to_province_code"), "district_code": raw.get("to_district_code")})
    assert moved is not None  # a CaseTransferred always gives one
    return moved


@dataclass
class Recomputed:
    """Figures of every unit from the export: ``figures(level, code)`` as the live view answers it (the
    nation's code is "")."""

    rollup: RollUp
    cases: int
    refused: list[str]  # lines that could not be read: "case_id: why" (counted in no figure)

    def figures(self, level: str, code: str) -> dict[str, int]:
        return self.rollup.figures(level, NATION if level == "nation" else code)

    def units(self, level: str, parent: str = "") -> list[str]:
        return sorted({code for (lv, code, day) in self.rollup.sums
                       if lv == level and day is None and code.startswith(parent)})


def recompute(lines: Iterable[Line]) -> Recomputed:
    """Every case line summed into district, province and nation figures."""
    districts: dict[str, dict[str, int]] = {}
    cases, refused = 0, []
    for line in lines:
        cases += 1
        try:
            record = record_of(line)
        except (ImpossibleFigures, KeyError, TypeError, ValueError) as broken:
            refused.append(f"{str(line.get('case_id'))[:64]}: {broken}"[:300])
            continue
        for statement in statements(record):
            districts[statement.district] = add(districts.get(statement.district, {}), statement.figures)
    rows = [TotalsRow(district, None, 1, figures) for district, figures in sorted(districts.items()) if figures]
    return Recomputed(roll_up(rows), cases, refused)
