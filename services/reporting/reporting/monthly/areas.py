"""Which units report: the 77 provinces and, per province, its districts (Bangkok: its 50 khet), from the
``geothai`` package, the same data registration validates codes with (``registration.kernel.admin_areas``);
reporting reads the package directly instead of importing registration."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import geothai


@dataclass(frozen=True)
class Unit:
    code: str
    name_th: str
    name_en: str


class Areas:
    @staticmethod
    @cache
    def provinces() -> tuple[Unit, ...]:
        return tuple(Unit(p.code, p.name_th, p.name_en) for p in geothai.provinces())

    @staticmethod
    @cache
    def districts(province_code: str) -> tuple[Unit, ...]:
        if province_code not in {p.code for p in Areas.provinces()}:
            return ()
        return tuple(Unit(d.code, d.name_th, d.name_en) for d in geothai.districts(province_code))

    def unit(self, code: str) -> Unit | None:
        pool = self.provinces() if len(code) == 2 else self.districts(code[:2]) if len(code) == 4 else ()
        return next((u for u in pool if u.code == code), None)
