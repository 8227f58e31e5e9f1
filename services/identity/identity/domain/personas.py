"""Dev personas: ``kind[:code]`` strings naming a test account (``citizen:1101700230708``, ``registrar:4701``,
``dopa_admin``…). The test session's Keycloak accounts are made from them (``infra/dev/accounts.py``);
their tokens come from Keycloak, never from here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from contracts.claims import Role


class PersonaError(ValueError):
    pass


@dataclass(frozen=True)
class Persona:
    role: Role
    code: str | None


_CODE_RULES: dict[Role, tuple[str | None, str]] = {
    Role.CITIZEN: (r"[0-9]{13}", "citizen:<13-digit citizen id>"),
    Role.REGISTRAR: (r"[0-9]{2}|[0-9]{4}", "registrar:<unit code>"),
    Role.DISTRICT_OFFICER: (r"[0-9]{4}", "district_officer:<4-digit district code>"),
    Role.PROVINCE_OFFICER: (r"[0-9]{2}", "province_officer:<2-digit province code>"),
    Role.DOPA_ADMIN: (None, "dopa_admin"),
    Role.AUDITOR: (None, "auditor"),
}


def parse_persona(raw: str) -> Persona:
    kind, _, code = raw.strip().partition(":")
    try:
        role = Role(kind)
    except ValueError:
        raise PersonaError(f"unknown persona kind {kind!r}; one of {[r.value for r in Role]}") from None
    pattern, usage = _CODE_RULES[role]
    if pattern is None and code:
        raise PersonaError(f"{role} takes no code: use {usage!r}")
    if pattern is not None and not re.fullmatch(pattern, code):
        raise PersonaError(f"expected {usage!r}")
    return Persona(role=role, code=code or None)
