"""Choice labels (Thai from the API schema, English here) and formatting helpers for the templates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from registration.cases import vocabulary as schemas
from registration.kernel import admin_areas
from registration.kernel.money import format_baht
from registration.kernel.receipts import THAI_TIME
from registration.kernel.thai import format_be_date, format_thai_phone

_EN: dict[str, dict[str, str]] = {
    "channel": {"self_online": "Self, online", "thaid_app": "ThaiD app", "desk": "At a registration desk",
                "paper": "Keyed in from a paper form"},
    "creditor_kind": {"person": "Individual", "business": "Business / shop", "unknown": "Unknown"},
    "how_met": {"acquaintance": "Acquaintance / friend", "relative": "Relative", "leaflet": "Leaflet / card",
                "online": "Online", "phone_or_sms": "Phone / SMS", "walk_in": "The lender approached me",
                "other": "Other"},
    "interest_period": {"day": "per day", "month": "per month", "year": "per year"},
    "instalment_frequency": {"daily": "Daily", "weekly": "Weekly", "monthly": "Monthly", "other": "Other"},
    "collateral": {"id_card": "Citizen ID card", "atm_card": "ATM card", "bank_book": "Bank book",
                   "land_title": "Land title deed", "vehicle": "Vehicle / registration book", "other": "Other"},
    "help_wanted": {"mediation": "Mediation with the creditor", "refinancing": "Loan from a state bank (GSB/BAAC)",
                    "job_training": "Job / training", "legal_help": "Legal help", "other": "Other"},
}
_TH: dict[str, dict[str, str]] = {
    "channel": schemas.CHANNEL_TH,
    "creditor_kind": schemas.CREDITOR_KIND_TH,
    "how_met": schemas.HOW_MET_TH,
    "interest_period": schemas.INTEREST_PERIOD_TH,
    "instalment_frequency": schemas.INSTALMENT_FREQUENCY_TH,
    "collateral": schemas.COLLATERAL_TH,
    "help_wanted": schemas.HELP_WANTED_TH,
}
TITLES = (("นาย", "Mr"), ("นาง", "Mrs"), ("นางสาว", "Miss"))


def choices(group: str, lang: str) -> list[tuple[str, str]]:
    """(value, label) pairs in form order."""
    th = _TH[group]
    return [(value, _EN[group].get(value, label) if lang == "en" else label) for value, label in th.items()]


def choice_label(group: str, value: str | None, lang: str) -> str:
    if not value:
        return "—"
    return dict(choices(group, lang)).get(value, value)


def area_name(code: str | None, lang: str = "th") -> str:
    if not code:
        return ""
    area = admin_areas.subdistrict(code) or admin_areas.district(code) or admin_areas.province(code)
    if area is None:
        return code
    return area.name_en if lang == "en" else area.name_th


def area_options(areas: Iterable[admin_areas.Area], lang: str) -> list[tuple[str, str]]:
    return [(a.code, a.name_en if lang == "en" else a.name_th) for a in areas]


def be_date(value: date | datetime | str | None) -> str:
    """``2024-01-31`` or a datetime (shown in Thai time) as ``31 มกราคม 2567``."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            return format_be_date(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.astimezone(THAI_TIME).date()
    return format_be_date(value)


def baht(satang: int | None) -> str:
    return "—" if satang is None else format_baht(satang)


def citizen_id(digits: str | None) -> str:
    """Printed as on the card: 1-2345-67890-12-3."""
    d = digits or ""
    if len(d) != 13:
        return d
    return f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}"


def template_globals() -> dict[str, Any]:
    return {
        "choices": choices, "choice_label": choice_label, "area_name": area_name, "be_date": be_date,
        "baht": baht, "area_options": area_options, "format_citizen_id": citizen_id, "titles": TITLES,
        "format_phone": format_thai_phone,  # stored E.164 shown as 081-234-5678
        "provinces": admin_areas.all_provinces, "districts_of": admin_areas.districts_of,
        "subdistricts_of": admin_areas.subdistricts_of,
    }
