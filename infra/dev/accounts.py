"""Test-only Keycloak accounts for dev personas, and their tokens from the real Keycloak.

``citizen:<id>``, ``registrar:<unit>``, ``district_officer:<district>``, ``province_officer:<province>``,
``dopa_admin``, ``auditor``: each becomes a Keycloak user made through identity's own directory adapter
(staff in their unit group with their realm role, exactly as provisioning makes them; citizens with the
``citizen`` role as ThaiD's first sign-in makes them), with a random password that only this process
knows, used through the test realm overlay's ``debt-tests`` and ``debt-tests-staff`` clients (password
grant; the mappers of debt-public and debt-staff). Never in production.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx

from contracts.claims import Claims, Role, UnitKind
from identity.adapters.geothai_units import load_catalogue
from identity.adapters.keycloak_directory import KeycloakStaffDirectory
from identity.domain.citizen_id import check_digit
from identity.domain.fake_people import fake_person
from identity.domain.personas import parse_persona
from identity.domain.provisioning import import_staff
from identity.domain.staff import StaffRow
from identity.domain.staff_files import RawRow
from identity.domain.thaid import ThaidPerson, parse_people, person_for
from identity.domain.units import NATION_CODE, group_chain, kind_for

DEV_PEOPLE_FILE = Path(__file__).parent / "dev_people.json"  # the ThaiD simulator's listed people


@cache
def dev_people() -> tuple[ThaidPerson, ...]:
    return parse_people(json.loads(DEV_PEOPLE_FILE.read_text(encoding="utf-8")))


def persona_citizen_id(persona: str) -> str:
    """A stable, valid citizen ID for a staff persona (a citizen persona carries its own)."""
    digits = str(int(hashlib.sha256(persona.encode()).hexdigest(), 16))[:11]
    first_twelve = "8" + digits  # 8…: a range the registry does not hand out to real people
    return first_twelve + str(check_digit(first_twelve))


@dataclass
class _Login:
    username: str
    password: str
    token: str = ""
    expires: float = 0.0


class DevAccounts:
    def __init__(self, keycloak_url: str, realm: str, admin_client_id: str, admin_client_secret: str,
                 test_clients: dict[str, tuple[str, str]]) -> None:
        """``test_clients``: page client id → (test client id, secret) of the test client with its mappers."""
        self.token_url = f"{keycloak_url}/realms/{realm}/protocol/openid-connect/token"
        self.directory = KeycloakStaffDirectory.connect(keycloak_url, realm, admin_client_id, admin_client_secret)
        self._clients = test_clients
        self._logins: dict[str, _Login] = {}
        self._lock = threading.Lock()

    def token(self, persona: str, *, fresh: bool = False) -> str:
        """An access token for the persona (the account is made on first use), reused until it nears
        expiry unless ``fresh``."""
        with self._lock:
            login = self._logins.get(persona) or self._create(persona)
            self._logins[persona] = login
            if fresh or time.time() > login.expires - 30:
                page_client = "debt-public" if persona.startswith(Role.CITIZEN.value + ":") else "debt-staff"
                response = httpx.post(self.token_url, auth=self._clients[page_client], timeout=20, data={
                    "grant_type": "password", "username": login.username, "password": login.password,
                    "scope": "openid"})
                response.raise_for_status()
                body = response.json()
                login.token, login.expires = body["access_token"], time.time() + body["expires_in"]
            return login.token

    def citizen_id_of(self, persona: str) -> str:
        """The citizen ID a persona proves on the ThaiD simulator; a staff persona's account is made first,
        as provisioning would have made it."""
        kind, _, code = persona.partition(":")
        if kind == Role.CITIZEN.value:
            return code
        with self._lock:
            self._logins[persona] = self._logins.get(persona) or self._create(persona)
        return persona_citizen_id(persona)

    def _create(self, raw: str) -> _Login:
        persona = parse_persona(raw)
        admin = self.directory.admin
        if persona.role is Role.CITIZEN:
            assert persona.code is not None
            # What ThaiD's first sign-in imports (the realm's thaid mappers), from the simulator's own person.
            person = person_for(persona.code, dev_people())
            user_id = admin.create_user({
                "username": persona.code, "enabled": True, "firstName": person.given_name,
                "lastName": person.family_name, "attributes": {
                    "citizen_id": [persona.code], "birthdate": [person.birthdate.isoformat()],
                    "address": [person.address]}}, exist_ok=True)
            admin.assign_realm_roles(user_id, [self.directory._role(Role.CITIZEN)])
        else:
            user_id = self._create_staff(raw, persona.role, persona.code or NATION_CODE)
        password = secrets.token_urlsafe(24)
        admin.set_user_password(user_id, password, temporary=False)
        username = admin.get_user(user_id)["username"]
        return _Login(username, password)

    def _create_staff(self, raw: str, role: Role, unit_code: str) -> str:
        kind = kind_for(role, unit_code)
        if kind is None:
            raise ValueError(f"{raw}: no unit of that kind")
        person, citizen_id = fake_person(raw), persona_citizen_id(raw)
        row = StaffRow(row=1, citizen_id=citizen_id, title=person.title, given_name=person.given_name,
                       family_name=person.family_name, position="ทดสอบ", unit_code=unit_code, unit_kind=kind,
                       role=role, email=f"{citizen_id}@staff.test", phone=None)
        group_id = self.directory.ensure_unit_group(group_chain(load_catalogue(), unit_code, kind))
        existing = self.directory.find_by_citizen_id(citizen_id)
        user_id = existing.id if existing else self.directory.create(row, group_id)
        _clear_required_actions(self.directory, user_id)  # it signs in with a password grant
        return user_id


def provision_dev_staff(keycloak_url: str, admin_client_secret: str) -> list[str]:
    """``make run``: the dev staff of ``DEV_PEOPLE_FILE`` made through identity's own staff import (validation,
    unit groups, roles: the production path), uploaded as a DOPA administrator. No password is made: they
    sign in through the ThaiD simulator, and first-broker-login links ThaiD to the account by citizen ID.
    Dev-only step after the import: the required actions (verify e-mail, set a password, OTP) are cleared,
    since the dev stack has no mail server and nobody needs a password. Returns what it did, one line each."""
    people = [p for p in dev_people() if p.role]
    rows = [RawRow(n, {"citizen_id": p.citizen_id, "title": p.title, "given_name": p.given_name,
                       "family_name": p.family_name, "position": p.label_th, "role": p.role or "",
                       "unit_code": p.unit_code or NATION_CODE, "email": f"{p.citizen_id}@dev.invalid"})
            for n, p in enumerate(people, start=2)]
    directory = KeycloakStaffDirectory.connect(keycloak_url, "debt", "debt-identity", admin_client_secret)
    uploader = Claims(sub="make-run", roles=frozenset({Role.DOPA_ADMIN}), unit_code=NATION_CODE,
                      unit_kind=UnitKind.NATION)
    result = import_staff(rows, uploader, load_catalogue(), directory)
    if result.problems:
        raise RuntimeError("dev staff import refused: " + "; ".join(p.en for p in result.problems))
    for _row, user_id in result.created:
        _clear_required_actions(directory, user_id)
    return [f"{p.label_en}: ThaiD {p.citizen_id}" for p in people]


def _clear_required_actions(directory: KeycloakStaffDirectory, user_id: str) -> None:
    """Dev and test accounts only: no verify-e-mail, set-password or OTP step (no mail server, no password)."""
    user = directory.admin.get_user(user_id)
    directory.admin.update_user(user_id, {**user, "requiredActions": [], "emailVerified": True})
