"""ThaiD as the ThaiD simulator presents it (dev only): the people it can sign in, the claims of its
id_token, and how its token endpoint recognises the client. Plain rules, no I/O.

The claim names are ThaiD's (``pid`` is the citizen ID) and exactly what the realm's ``thaid``
identity-provider mappers read: ``pid``, ``given_name``, ``family_name``, ``birthdate`` and
``address.formatted`` (infra/keycloak/realm-debt.json, ``identityProviderMappers``).
"""

from __future__ import annotations

import base64
import hmac
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import unquote_plus

from identity.domain import citizen_id
from identity.domain.fake_people import fake_person

# What ThaiD's id_token says about the person (the simulator signs exactly these, plus the OIDC ones).
ID_TOKEN_CLAIMS = ("pid", "title", "given_name", "family_name", "name", "birthdate", "gender", "address")
SCOPES = ("openid", "pid", "name", "given_name", "family_name", "birthdate", "address", "gender", "title")
# Fixed, so that a citizen's ``sub`` stays the same across restarts and key rotations: Keycloak links a
# brokered account by the IdP's ``sub``, and a changed one would look like a different person.
_SUB_NAMESPACE = uuid.UUID("5b0f3d4e-6a0c-4e8e-9a51-0d1c7e1b7a11")
_PERSON_FIELDS = ("citizen_id", "title", "given_name", "family_name", "birthdate", "gender", "address")


class PeopleFileError(ValueError):
    """The dev people file is not what the simulator expects (a configuration error, found at start)."""


@dataclass(frozen=True)
class ThaidPerson:
    citizen_id: str
    title: str
    given_name: str
    family_name: str
    birthdate: date
    gender: str
    address: str
    role: str | None = None
    unit_code: str | None = None
    label_th: str = "ประชาชน"
    label_en: str = "Citizen"

    @property
    def name(self) -> str:
        return f"{self.title}{self.given_name} {self.family_name}"


def subject(pid: str) -> str:
    """ThaiD's ``sub``: stable per citizen and opaque (never the citizen ID itself)."""
    return "thaid-sim-" + uuid.uuid5(_SUB_NAMESPACE, pid).hex


def parse_people(data: object) -> tuple[ThaidPerson, ...]:
    """The listed dev people (``infra/dev/dev_people.json``): a list of objects, valid citizen IDs, ISO dates."""
    if not isinstance(data, list):
        raise PeopleFileError("the dev people file must hold a JSON list")
    people: list[ThaidPerson] = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise PeopleFileError(f"entry {number}: not an object")
        missing = [f for f in _PERSON_FIELDS if not isinstance(entry.get(f), str) or not entry[f]]
        if missing:
            raise PeopleFileError(f"entry {number}: missing or empty {', '.join(missing)}")
        if not citizen_id.is_valid(entry["citizen_id"]):
            raise PeopleFileError(f"entry {number}: citizen_id fails the checksum")
        try:
            born = date.fromisoformat(entry["birthdate"])
        except ValueError:
            raise PeopleFileError(f"entry {number}: birthdate is not YYYY-MM-DD") from None
        people.append(ThaidPerson(
            citizen_id=entry["citizen_id"], title=entry["title"], given_name=entry["given_name"],
            family_name=entry["family_name"], birthdate=born, gender=entry["gender"], address=entry["address"],
            role=entry.get("role"), unit_code=entry.get("unit_code"),
            label_th=entry.get("label_th") or "ประชาชน", label_en=entry.get("label_en") or "Citizen",
        ))
    if len({p.citizen_id for p in people}) != len(people):
        raise PeopleFileError("the dev people file lists a citizen ID twice")
    return tuple(people)


def person_for(pid: str, listed: Sequence[ThaidPerson]) -> ThaidPerson:
    """A listed person, or a made-up one (stable per citizen ID) for any other valid citizen ID."""
    for person in listed:
        if person.citizen_id == pid:
            return person
    fake = fake_person(f"citizen:{pid}")
    return ThaidPerson(
        citizen_id=pid, title=fake.title, given_name=fake.given_name, family_name=fake.family_name,
        birthdate=fake.birthdate, gender="M" if fake.title == "นาย" else "F",
        address="ที่อยู่ทดสอบ (ไม่ใช่ที่อยู่จริง)",
    )


def id_token_claims(person: ThaidPerson) -> dict[str, Any]:
    return {
        "sub": subject(person.citizen_id),
        "pid": person.citizen_id,
        "title": person.title,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "name": person.name,
        "birthdate": person.birthdate.isoformat(),
        "gender": person.gender,
        "address": {"formatted": person.address},
    }


class ClientAuthError(ValueError):
    """The token request's client authentication is malformed or ambiguous (not merely wrong)."""


def client_credentials(authorization: str | None, form: Mapping[str, str]) -> tuple[str, str] | None:
    """(client_id, secret) from ``client_secret_basic`` or ``client_secret_post``; None when neither is used.

    Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1), as Keycloak sends them.
    """
    if authorization:
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic" or form.get("client_secret"):
            raise ClientAuthError("use exactly one client authentication method (HTTP Basic or the form)")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except ValueError:  # binascii.Error, UnicodeDecodeError, or non-ASCII in the header
            raise ClientAuthError("malformed HTTP Basic credentials") from None
        raw_id, colon, raw_secret = decoded.partition(":")
        if not colon:
            raise ClientAuthError("malformed HTTP Basic credentials")
        client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
        if form.get("client_id") and form["client_id"] != client_id:
            raise ClientAuthError("client_id in the form differs from the authenticated client")
        return client_id, secret
    if form.get("client_id") and form.get("client_secret"):
        return form["client_id"], form["client_secret"]
    return None


def client_authenticated(given: tuple[str, str] | None, client_id: str, secret: str | None) -> bool:
    """True only for the configured client with its secret; with no secret configured, never."""
    if given is None or secret is None or not secret:
        return False
    id_ok = hmac.compare_digest(given[0].encode(), client_id.encode())
    secret_ok = hmac.compare_digest(given[1].encode(), secret.encode())
    return id_ok and secret_ok
