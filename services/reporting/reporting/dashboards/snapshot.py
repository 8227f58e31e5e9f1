"""What a dashboard shows of one unit, as plain data: the page renders it and the event stream sends it
again after every change. Reads only the :class:`TotalsSource` interface. No I/O of its own."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from reporting.dashboards import areas
from reporting.dashboards.scope import BELOW, Unit
from reporting.dashboards.tilemap import shades
from reporting.totals.figures import DAILY, FIGURES


class TotalsSource(Protocol):
    """What the dashboards read (``reporting.totals.view.TotalsView`` in the service)."""

    version: int

    def figures(self, level: str, code: str, day: str | None = None) -> dict[str, int]: ...
    def days(self, level: str, code: str) -> list[str]: ...
    def units(self, level: str, parent: str = "") -> list[str]: ...
    def changes(self) -> AsyncIterator[set[tuple[str, str]]]: ...


@dataclass(frozen=True)
class Group:
    th: str
    en: str
    names: tuple[str, ...]


# The figures of issue 10 in the order a reader meets them.
GROUPS = (
    Group("การลงทะเบียน", "Registration",
          ("registrants", "registrants_self_online", "registrants_thaid_app", "registrants_desk", "registrants_paper",
           "creditors", "debts", "principal_satang", "outstanding_satang")),
    Group("การติดต่อและความประสงค์", "Contact and wishes",
          ("contacted", "wants_mediation", "declined_mediation", "unreachable", "excessive_interest")),
    Group("การไกล่เกลี่ย", "Mediation",
          ("mediation_entered", "mediation_succeeded", "mediation_failed", "debt_before_satang", "debt_after_satang",
           "debt_reduced_satang")),
    Group("การส่งต่อ", "Referrals",
          ("referred_law", "referred_police", "referred_prosecution", "referred_bank", "referred_gsb", "referred_baac",
           "referred_other_help", "referred_jobs", "referred_training", "referred_legal_aid", "referred_other")),
    Group("การโอนและปิดเรื่อง", "Transfers and closure",
          ("transfers_in", "transfers_out", "transfers_in_other_province", "transfers_out_other_province", "closed")),
)
# What the table of the units below shows, and what the map shades.
COLUMNS = ("registrants", "contacted", "mediation_entered", "mediation_succeeded", "debt_reduced_satang", "closed")
MAP_FIGURE = "registrants"
# The daily series charted, and how many days at most (the latest).
SERIES = ("registrations", "contacts", "mediations_entered", "mediations_succeeded", "closures")
SERIES_DAYS = 92
RANKED = 5


def mediation_share(figures: dict[str, int]) -> float | None:
    """Share of registrants brought into mediation, the ministry's headline; None without registrants."""
    registrants = figures.get("registrants", 0)
    return figures.get("mediation_entered", 0) / registrants if registrants else None


def _named(unit: Unit) -> areas.Area:
    level, code = unit
    return areas.NATION if level == "nation" else (areas.area(code) or areas.Area(code, code, code))


def children_of(unit: Unit) -> list[areas.Area]:
    """Every unit one level below: all 77 provinces, or all districts of a province, with figures or not.
    Registration accepts only codes in use today, so the area list names every unit the totals can have."""
    level, code = unit
    below = BELOW.get(level)
    if below is None:
        return []
    return list(areas.provinces() if below == "province" else areas.districts(code))


def snapshot(source: TotalsSource, unit: Unit, lang: str) -> dict[str, Any]:
    """The dashboard of ``unit`` now: its figures, the units below it with their main figures and the ranking
    by mediation share, map shades (nation), and the daily series."""
    level, code = unit
    version = source.version  # read first: a change after it is sent again
    figures = {name: 0 for name in FIGURES} | source.figures(level, code)
    below = BELOW.get(level)
    children: list[dict[str, Any]] = []
    for area in children_of(unit):
        child_figures = source.figures(below, area.code) if below else {}
        child_share = mediation_share(child_figures)
        children.append({"code": area.code, "name": area.name(lang), "level": below,
                         "figures": {name: child_figures.get(name, 0) for name in COLUMNS},
                         "share": None if child_share is None else round(child_share * 100, 1)})
    shade_of = shades({c["code"]: c["figures"][MAP_FIGURE] for c in children})
    for child in children:
        child["shade"] = shade_of[child["code"]]
    ranked = sorted((c for c in children if c["share"] is not None), key=lambda c: (-c["share"], c["code"]))
    days = source.days(level, code)[-SERIES_DAYS:]
    series: dict[str, list[int]] = {name: [] for name in SERIES}
    for day in days:
        counts = source.figures(level, code, day)
        for name in SERIES:
            series[name].append(counts.get(name, 0))
    share = mediation_share(figures)
    return {
        "level": level, "code": code, "name": _named(unit).name(lang), "version": version,
        "figures": figures, "share": None if share is None else round(share * 100, 1),
        "children": children,
        "top": ranked[:RANKED], "bottom": list(reversed(ranked[max(RANKED, len(ranked) - RANKED):])),
        "days": days, "series": series,
        "series_labels": {name: (DAILY[name].en if lang == "en" else DAILY[name].th) for name in SERIES},
    }


class Snapshots:
    """The latest snapshot of each (unit, language), made again only when the view's version has moved: every
    page and stream watching a unit shares one computation per change (``days`` scans the whole view)."""

    def __init__(self, limit: int = 2048) -> None:
        self.limit = limit
        self._held: dict[tuple[Unit, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, source: TotalsSource, unit: Unit, lang: str) -> dict[str, Any]:
        key = (unit, lang)
        with self._lock:
            held = self._held.get(key)
        if held is not None and held["version"] == source.version:
            return held
        made = snapshot(source, unit, lang)
        with self._lock:
            if len(self._held) >= self.limit:
                self._held.clear()  # at most one snapshot per unit and language: a bound, not an eviction policy
            self._held[key] = made
        return made
