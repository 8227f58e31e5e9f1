"""Loads DOPA's province and district codes from the ``geothai`` package (77 provinces, 928
districts with geothai 3.2.1), once per process."""

from __future__ import annotations

from functools import cache

import geothai

from identity.domain.units import Area, UnitCatalogue


@cache
def load_catalogue() -> UnitCatalogue:
    provinces = {p.code: Area(p.code, p.name_th, p.name_en) for p in geothai.provinces()}
    districts = {
        d.code: Area(d.code, d.name_th, d.name_en) for code in provinces for d in geothai.districts(code)
    }
    return UnitCatalogue(provinces=provinces, districts=districts)
