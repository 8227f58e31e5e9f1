from __future__ import annotations

import pytest

from contracts.claims import Claims, Role, UnitKind
from identity.domain.personas import PersonaError, parse_persona, persona_claims


@pytest.mark.parametrize(
    ("raw", "role", "unit_code", "unit_kind", "citizen_id"),
    [
        ("citizen:1101700230705", Role.CITIZEN, None, None, "1101700230705"),
        ("registrar:4701", Role.REGISTRAR, "4701", UnitKind.DISTRICT_OFFICE, None),
        ("registrar:47", Role.REGISTRAR, "47", UnitKind.PROVINCE_CENTRE, None),
        ("registrar:1001", Role.REGISTRAR, "1001", UnitKind.BANGKOK_DISTRICT_OFFICE, None),
        ("district_officer:4701", Role.DISTRICT_OFFICER, "4701", UnitKind.DISTRICT_OFFICE, None),
        ("province_officer:47", Role.PROVINCE_OFFICER, "47", UnitKind.PROVINCE, None),
        ("dopa_admin", Role.DOPA_ADMIN, None, UnitKind.NATION, None),
        ("auditor", Role.AUDITOR, None, UnitKind.NATION, None),
    ],
)
def test_persona_becomes_production_shaped_claims(
    raw: str, role: Role, unit_code: str | None, unit_kind: UnitKind | None, citizen_id: str | None
) -> None:
    claims = Claims.from_token_payload(persona_claims(parse_persona(raw)))
    assert (claims.roles, claims.unit_code, claims.unit_kind, claims.citizen_id) == (
        {role}, unit_code, unit_kind, citizen_id)


@pytest.mark.parametrize("raw", ["citizen:123", "district_officer:47", "province_officer:4701", "dopa_admin:10",
                                 "superuser", "registrar:", ""])
def test_malformed_personas_are_refused(raw: str) -> None:
    with pytest.raises(PersonaError):
        parse_persona(raw)


def test_subject_is_stable_per_persona() -> None:
    assert parse_persona("registrar:4701").subject == parse_persona("registrar:4701").subject
    assert parse_persona("registrar:4701").subject != parse_persona("registrar:4702").subject


def test_citizen_persona_has_stable_fake_names_and_birthdate() -> None:
    first = Claims.from_token_payload(persona_claims(parse_persona("citizen:1101700230705")))
    second = Claims.from_token_payload(persona_claims(parse_persona("citizen:1101700230705")))
    other = Claims.from_token_payload(persona_claims(parse_persona("citizen:3100600445631")))
    assert first.given_name and first.family_name and first.birthdate is not None
    assert (first.given_name, first.family_name, first.birthdate) == (
        second.given_name, second.family_name, second.birthdate)
    assert (first.given_name, first.family_name, first.birthdate) != (
        other.given_name, other.family_name, other.birthdate)
    assert Claims.from_token_payload(persona_claims(parse_persona("registrar:4701"))).birthdate is None
