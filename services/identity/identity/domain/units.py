"""Staff units: which unit codes exist, what kind each is for a role, and its Keycloak group path.

A district office or Bangkok district office is a 4-digit district code; a provincial
Damrongdhamma centre (registrars) and a province office (province officers) use the 2-digit
province code; DOPA headquarters is ``00`` (administrators and auditors). The catalogue of real
codes is loaded by ``identity.adapters.geothai_units``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contracts.claims import Role, UnitKind

NATION_CODE = "00"
BANGKOK = "10"


@dataclass(frozen=True)
class Area:
    code: str
    name_th: str
    name_en: str


@dataclass(frozen=True)
class UnitCatalogue:
    provinces: Mapping[str, Area]
    districts: Mapping[str, Area]

    def knows(self, code: str) -> bool:
        return code == NATION_CODE or code in self.provinces or code in self.districts

    def name_th(self, code: str) -> str:
        if code == NATION_CODE:
            return "กรมการปกครอง"
        area = self.provinces.get(code) or self.districts.get(code)
        return area.name_th if area else code


def kind_for(role: Role, unit_code: str) -> UnitKind | None:
    """The unit kind this role has at this code, or None when the role cannot sit there."""
    if role in (Role.DOPA_ADMIN, Role.AUDITOR):
        return UnitKind.NATION if unit_code == NATION_CODE else None
    if len(unit_code) == 4 and role in (Role.REGISTRAR, Role.DISTRICT_OFFICER):
        return UnitKind.BANGKOK_DISTRICT_OFFICE if unit_code.startswith(BANGKOK) else UnitKind.DISTRICT_OFFICE
    if len(unit_code) == 2 and unit_code != NATION_CODE:
        if role is Role.PROVINCE_OFFICER:
            return UnitKind.PROVINCE
        if role is Role.REGISTRAR:
            return UnitKind.PROVINCE_CENTRE
    return None


def province_of(unit_code: str) -> str:
    return unit_code[:2]


GroupLevel = tuple[str, dict[str, list[str]]]


def group_chain(catalogue: UnitCatalogue, unit_code: str, kind: UnitKind) -> list[GroupLevel]:
    """The unit's Keycloak group and its ancestors from the root, as (name, attributes), laid out as
    in infra/keycloak/realm-debt.json: ``/provinces/47 สกลนคร/districts/4701 เมืองสกลนคร``. Units carry
    ``unit_code``/``unit_kind``; the folders ``provinces``, ``districts``, ``bangkok-offices`` carry none."""

    def unit(code: str, unit_kind: UnitKind) -> dict[str, list[str]]:
        return {"unit_code": [code], "unit_kind": [unit_kind.value]}

    if kind is UnitKind.NATION:
        return [("dopa", unit(NATION_CODE, kind))]
    code = province_of(unit_code)
    chain: list[GroupLevel] = [("provinces", {}), (f"{code} {catalogue.name_th(code)}", unit(code, UnitKind.PROVINCE))]
    if kind is UnitKind.PROVINCE_CENTRE:
        chain.append(("damrongdhamma", unit(code, kind)))
    elif kind in (UnitKind.DISTRICT_OFFICE, UnitKind.BANGKOK_DISTRICT_OFFICE):
        chain.append(("bangkok-offices" if kind is UnitKind.BANGKOK_DISTRICT_OFFICE else "districts", {}))
        chain.append((f"{unit_code} {catalogue.name_th(unit_code)}", unit(unit_code, kind)))
    return chain
