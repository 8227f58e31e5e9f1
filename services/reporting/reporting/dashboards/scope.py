"""Which dashboards a person may open: the units inside their ``contracts.access.totals_scope`` (DOPA the
nation and everything in it, a province officer their province and its districts, a district officer or
registrar their district). Pure."""

from __future__ import annotations

from contracts.access import totals_scope
from contracts.claims import Claims

Unit = tuple[str, str]  # (level, code); the nation's code is ""
LEVELS = ("nation", "province", "district")
BELOW = {"nation": "province", "province": "district"}


def home_unit(claims: Claims) -> Unit | None:
    """The unit a person's dashboard opens on, or None when they may read no totals."""
    scope = totals_scope(claims)
    if scope is None:
        return None
    level, code = scope
    return (level, "" if level == "nation" else code)


def may_view(claims: Claims, unit: Unit) -> bool:
    home = home_unit(claims)
    if home is None:
        return False
    level, code = unit
    home_level, home_code = home
    if home_level == "nation":
        return True
    if home_level == "province":
        return (level == "province" and code == home_code) or (level == "district" and code[:2] == home_code)
    return level == "district" and code == home_code


def concerns(unit: Unit, changed: set[Unit]) -> bool:
    """Whether a batch of changed units touches ``unit``'s figures (its own, or a unit inside it)."""
    level, code = unit
    if level == "nation":
        return bool(changed)
    return any(c == code or (level == "province" and lv == "district" and c[:2] == code) for lv, c in changed)
