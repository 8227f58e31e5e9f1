"""Names of provinces and districts, from the ``geothai`` package (the same data and version registration
validates addresses with, pinned in constraints.txt): reporting reads it itself rather than importing
registration. Only codes in use today; an unknown code has no name and no page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import geothai


@dataclass(frozen=True)
class Area:
    code: str
    th: str
    en: str

    def name(self, lang: str) -> str:
        return self.en if lang == "en" else self.th


@cache
def provinces() -> tuple[Area, ...]:
    return tuple(Area(p.code, p.name_th, p.name_en) for p in geothai.provinces())


@cache
def districts(province_code: str) -> tuple[Area, ...]:
    if province(province_code) is None:
        return ()
    return tuple(Area(d.code, d.name_th, d.name_en) for d in geothai.districts(province_code))


@cache
def _by_code() -> dict[str, Area]:
    found = {p.code: p for p in provinces()}
    for p in provinces():
        found.update((d.code, d) for d in districts(p.code))
    return found


def province(code: str) -> Area | None:
    return next((p for p in provinces() if p.code == code), None)


def area(code: str) -> Area | None:
    """A province (2 digits) or district (4 digits) in use today."""
    return _by_code().get(code)


NATION = Area("", "ทั่วประเทศ", "Whole country")
