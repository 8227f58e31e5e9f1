"""Dev personas name the test session's Keycloak accounts (infra/dev/accounts.py), and the made-up people the
ThaiD simulator and those accounts carry stay the same for the same persona."""

from __future__ import annotations

import pytest

from contracts.claims import Role
from identity.domain.fake_people import fake_person
from identity.domain.personas import PersonaError, parse_persona


@pytest.mark.parametrize(
    ("raw", "role", "code"),
    [
        ("citizen:1101700230708", Role.CITIZEN, "1101700230708"),
        ("registrar:4701", Role.REGISTRAR, "4701"),
        ("registrar:47", Role.REGISTRAR, "47"),
        ("registrar:1001", Role.REGISTRAR, "1001"),
        ("district_officer:4701", Role.DISTRICT_OFFICER, "4701"),
        ("province_officer:47", Role.PROVINCE_OFFICER, "47"),
        ("dopa_admin", Role.DOPA_ADMIN, None),
        ("auditor", Role.AUDITOR, None),
    ],
)
def test_persona_names_a_role_and_its_unit_or_citizen_id(raw: str, role: Role, code: str | None) -> None:
    persona = parse_persona(raw)
    assert (persona.role, persona.code) == (role, code)


@pytest.mark.parametrize("raw", ["citizen:123", "district_officer:47", "province_officer:4701", "dopa_admin:10",
                                 "superuser", "registrar:", ""])
def test_malformed_personas_are_refused(raw: str) -> None:
    with pytest.raises(PersonaError):
        parse_persona(raw)


def test_a_made_up_person_is_stable_per_seed() -> None:
    first, second = fake_person("citizen:1101700230708"), fake_person("citizen:1101700230708")
    other = fake_person("citizen:3100600445635")
    assert first.given_name and first.family_name and first.title
    assert first == second
    assert (first.given_name, first.family_name, first.birthdate) != (
        other.given_name, other.family_name, other.birthdate)
