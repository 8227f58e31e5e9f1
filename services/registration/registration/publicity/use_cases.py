"""Publicity's use cases, which its pages call: a unit's reports of where it put up its signs, the province's
overview, and who may see a report's photo (``contracts.access.totals_scope``: the same reach as the totals)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from contracts.access import totals_scope
from contracts.claims import Claims, Role
from registration.publicity.store import Doc, PublicityStore, UnitSummary, check_photo

__all__ = ["Photo", "Publicity", "UnitSummary", "check_photo"]


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str


@dataclass(frozen=True)
class Publicity:
    store: PublicityStore

    def reports_of(self, unit_code: str) -> list[Doc]:
        """The unit's latest reports, newest first."""
        return self.store.of_unit(unit_code)

    def report(self, *, unit_code: str, place: str, put_up_on: date, photo: bytes, content_type: str,
               officer_sub: str, now: datetime) -> str:
        """Stores a report with its photo (already checked with ``check_photo``); returns the report's id."""
        return self.store.add(unit_code=unit_code, place=place, put_up_on=put_up_on, photo=photo,
                              content_type=content_type, officer_sub=officer_sub, now=now)

    def units_in(self, province_code: str) -> dict[str, UnitSummary]:
        """Each reporting unit of the province: how many reports, and the latest date a sign went up."""
        return self.store.by_unit_in(province_code)

    def photo(self, photo_id: str, claims: Claims | None) -> Photo | None:
        """The photo, for its own unit, an officer of its province or DOPA; None for anyone else, as for a
        photo that does not exist."""
        doc = self.store.photo(photo_id[:40]) if claims is not None else None
        if doc is None or claims is None:
            return None
        unit: str = doc["unit_code"]
        scope = totals_scope(claims)
        allowed = (claims.unit_code == unit
                   or (scope is not None and scope[0] == "province" and claims.has(Role.PROVINCE_OFFICER)
                       and unit.startswith(scope[1]))
                   or (scope is not None and scope[0] == "nation"))
        return Photo(bytes(doc["data"]), doc["content_type"]) if allowed else None
