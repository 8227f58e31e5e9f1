"""Dev personas: ``kind[:code]`` strings turned into claims of the production shape."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from contracts.claims import Role, UnitKind
from identity.domain.fake_people import fake_person


class PersonaError(ValueError):
    pass


@dataclass(frozen=True)
class Persona:
    role: Role
    code: str | None

    @property
    def subject(self) -> str:
        # Stable per persona so that audit entries of one dev persona line up.
        return "dev-" + hashlib.sha256(f"{self.role}:{self.code}".encode()).hexdigest()[:16]


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


def _unit_kind(persona: Persona) -> UnitKind | None:
    if persona.role in (Role.DOPA_ADMIN, Role.AUDITOR):
        return UnitKind.NATION
    if persona.code is None or persona.role is Role.CITIZEN:
        return None
    if len(persona.code) == 2:
        return UnitKind.PROVINCE if persona.role is Role.PROVINCE_OFFICER else UnitKind.PROVINCE_CENTRE
    return UnitKind.BANGKOK_DISTRICT_OFFICE if persona.code.startswith("10") else UnitKind.DISTRICT_OFFICE


def persona_claims(persona: Persona) -> dict[str, Any]:
    """Claims as Keycloak's mappers put them in an access token (see docs/token-claims.md)."""
    person = fake_person(f"{persona.role}:{persona.code}")
    claims: dict[str, Any] = {
        "sub": persona.subject,
        "realm_access": {"roles": [persona.role.value]},
        "given_name": person.given_name,
        "family_name": person.family_name,
        "name": f"{person.given_name} {person.family_name}",
    }
    if persona.role is Role.CITIZEN:
        claims["citizen_id"] = persona.code
        claims["birthdate"] = person.birthdate.isoformat()
        claims["title"] = person.title
    else:
        claims["unit_code"] = persona.code
        claims["unit_kind"] = _unit_kind(persona)
    claims["preferred_username"] = f"{persona.role.value}{'-' + persona.code if persona.code else ''}"
    return claims
