"""DOPA administrative area codes: province (2 digits), district (4), subdistrict (6).

Data comes from the ``geothai`` package (GeoThai/data, see :func:`data_version`), loaded on
first use and kept as an immutable in-memory index. With geothai 3.2.1 (data 2026.10.23)
the index holds exactly 77 provinces, 928 districts (including Bangkok's 50 khet,
1001-1050) and 7,436 subdistricts.

Only codes in use today are valid. geothai lists 1,583 abolished codes separately (80
districts, many of them pseudo-codes for registration-office branches such as 1081 or 1099,
and 1,503 subdistricts). They are not in the index, so a new registration cannot use one,
but validation names them with a distinct ``*.abolished`` error so that people copying an
old document learn why the code is refused.

A district code's first two digits are its province code, and a subdistrict code's first
four digits are its district code; nesting checks rely on the data's parent links, which
agree with that rule.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Literal

import geothai
from geothai.abolished import abolished_areas

from registration.kernel.thai import FieldError, normalise_digits

Level = Literal["province", "district", "subdistrict"]
_Problem = Literal["required", "abolished", "unknown", "not_in"]


@dataclass(frozen=True, slots=True)
class Area:
    """A province, district or subdistrict. ``parent_code`` is None for provinces; ``postal_codes`` are a
    subdistrict's (Thailand Post), empty for the other levels."""

    code: str
    name_th: str
    name_en: str
    parent_code: str | None
    postal_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Index:
    by_code: Mapping[str, Area]
    children: Mapping[str | None, tuple[Area, ...]]


@cache
def _index() -> _Index:
    areas: list[Area] = []
    for p in geothai.provinces():
        areas.append(Area(p.code, p.name_th, p.name_en, None))
        for d in geothai.districts(p.code):
            areas.append(Area(d.code, d.name_th, d.name_en, p.code))
            areas.extend(Area(s.code, s.name_th, s.name_en, d.code, tuple(s.postal_codes))
                         for s in geothai.subdistricts(d.code))
    children: dict[str | None, list[Area]] = {}
    for area in areas:
        children.setdefault(area.parent_code, []).append(area)
    # Codes of the three levels differ in length, so one mapping cannot mix them up.
    return _Index(
        by_code=MappingProxyType({a.code: a for a in areas}),
        children=MappingProxyType({k: tuple(v) for k, v in children.items()}),
    )


@cache
def _abolished_codes() -> frozenset[str]:
    return frozenset(a.code for a in abolished_areas())


def data_version() -> str:
    """The GeoThai/data release behind the index, worth storing with each registration."""
    return geothai.DATA_VERSION


_CODE_LENGTH: dict[Level, int] = {"province": 2, "district": 4, "subdistrict": 6}


def _lookup(code: str, level: Level) -> Area | None:
    clean = normalise_digits(code)
    if len(clean) != _CODE_LENGTH[level]:
        return None
    return _index().by_code.get(clean)


def province(code: str) -> Area | None:
    """The province with this 2-digit code, or None."""
    return _lookup(code, "province")


def district(code: str) -> Area | None:
    """The district (amphoe or Bangkok khet) with this 4-digit code, or None."""
    return _lookup(code, "district")


def subdistrict(code: str) -> Area | None:
    """The subdistrict (tambon or Bangkok khwaeng) with this 6-digit code, or None."""
    return _lookup(code, "subdistrict")


def all_provinces() -> tuple[Area, ...]:
    """All provinces, sorted by code."""
    return _index().children[None]


def districts_of(province_code: str) -> tuple[Area, ...]:
    """Districts of a province, sorted by code; empty for an unknown province."""
    found = province(province_code)
    return _index().children.get(found.code, ()) if found else ()


def subdistricts_of(district_code: str) -> tuple[Area, ...]:
    """Subdistricts of a district, sorted by code; empty for an unknown district."""
    found = district(district_code)
    return _index().children.get(found.code, ()) if found else ()


_LEVELS: dict[Level, tuple[str, str, str]] = {
    "province": ("province_code", "จังหวัด", "province"),
    "district": ("district_code", "อำเภอ", "district"),
    "subdistrict": ("subdistrict_code", "ตำบล", "subdistrict"),
}
_PARENT: dict[Level, tuple[str, str]] = {
    "district": ("จังหวัด", "province"),
    "subdistrict": ("อำเภอ", "district"),
}


def _error(level: Level, kind: _Problem) -> FieldError:
    field, th, en = _LEVELS[level]
    if kind == "required":
        return FieldError(f"{level}.required", f"กรุณาเลือก{th}", f"Please select a {en}.", field)
    if kind == "abolished":
        return FieldError(
            f"{level}.abolished",
            f"รหัส{th}นี้ถูกยกเลิกแล้ว กรุณาเลือก{th}ใหม่",
            f"This {en} code has been abolished. Please select a current {en}.",
            field,
        )
    if kind == "unknown":
        return FieldError(f"{level}.unknown", f"ไม่พบรหัส{th}นี้", f"Unknown {en} code.", field)
    parent_th, parent_en = _PARENT[level]
    return FieldError(
        f"{level}.not_in_{parent_en}",
        f"รหัส{th}ไม่อยู่ใน{parent_th}ที่เลือก",
        f"The {en} is not in the selected {parent_en}.",
        field,
    )


def _check(level: Level, raw: str, area: Area | None, parent: Area | None) -> FieldError | None:
    if not raw.strip():
        return _error(level, "required")
    if area is None:
        clean = normalise_digits(raw)
        abolished = len(clean) == _CODE_LENGTH[level] and clean in _abolished_codes()
        return _error(level, "abolished" if abolished else "unknown")
    if parent is not None and area.parent_code != parent.code:
        return _error(level, "not_in")
    return None


def validate_address_codes(province_code: str, district_code: str, subdistrict_code: str) -> list[FieldError]:
    """Check that the three codes exist and nest; one error at most per field.

    Nesting is only judged against a parent that is itself valid, so a wrong province does
    not also flag a correct district as misplaced.
    """
    p, d, s = (
        province(province_code),
        district(district_code),
        subdistrict(subdistrict_code),
    )
    p_error = _check("province", province_code, p, None)
    d_error = _check("district", district_code, d, None if p_error else p)
    s_error = _check("subdistrict", subdistrict_code, s, None if d_error else d)
    return [e for e in (p_error, d_error, s_error) if e is not None]


def postal_code_problem(subdistrict_code: str, postal_code: str) -> FieldError | None:
    """A 5-digit postal code that Thailand Post does not use for this subdistrict (a typo, or a code copied
    from another address would send the district's letter astray). An unknown subdistrict is reported by
    :func:`validate_address_codes`, not here."""
    area = subdistrict(subdistrict_code)
    if area is None or not area.postal_codes or normalise_digits(postal_code) in area.postal_codes:
        return None
    return FieldError("postal_code.not_in_subdistrict",
                      f"รหัสไปรษณีย์ไม่ตรงกับตำบลที่เลือก (ตำบล{area.name_th} ใช้ {' '.join(area.postal_codes)})",
                      f"The postal code does not belong to the selected subdistrict ({area.name_en} uses "
                      f"{', '.join(area.postal_codes)}).", "postal_code")
