"""ThaiD simulator rules without HTTP: the dev people file, the claim shape the realm's mappers read,
client authentication parsing, and the refusal to exist outside ENV=dev."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, Literal

import pytest

from identity.domain.thaid import (
    ID_TOKEN_CLAIMS,
    ClientAuthError,
    PeopleFileError,
    client_authenticated,
    client_credentials,
    id_token_claims,
    parse_people,
    person_for,
    subject,
)

ROOT = Path(__file__).resolve().parents[4]
DEV_PEOPLE = ROOT / "infra" / "dev" / "dev_people.json"
REALM = ROOT / "infra" / "keycloak" / "realm-debt.json"


def person_entry(**changes: Any) -> dict[str, Any]:
    return {"citizen_id": "1101700230708", "title": "นาย", "given_name": "ทดสอบ", "family_name": "ระบบ",
            "birthdate": "1980-01-01", "gender": "M", "address": "กรุงเทพมหานคร", "role": None, "unit_code": None,
            "label_th": "ประชาชน", "label_en": "Citizen", **changes}


def test_the_dev_people_file_loads() -> None:
    people = parse_people(json.loads(DEV_PEOPLE.read_text(encoding="utf-8")))
    assert len(people) >= 5
    assert {p.role for p in people} >= {None, "registrar", "district_officer", "province_officer"}


@pytest.mark.parametrize(("data", "message"), [
    ({"citizen_id": "1"}, "list"),
    ([person_entry(citizen_id="1101700230709")], "checksum"),
    ([person_entry(birthdate="12/03/1980")], "YYYY-MM-DD"),
    ([person_entry(given_name="")], "given_name"),
    ([person_entry(), person_entry()], "twice"),
])
def test_a_bad_people_file_is_refused_clearly(data: object, message: str) -> None:
    with pytest.raises(PeopleFileError, match=message):
        parse_people(data)


def test_claims_carry_what_the_realm_mappers_read() -> None:
    claims = id_token_claims(person_for("1101700230708", ()))
    realm = json.loads(REALM.read_text(encoding="utf-8"))
    for mapper in realm["identityProviderMappers"]:
        if mapper["identityProviderAlias"] != "thaid":
            continue
        config = mapper["config"]
        path = config.get("claim") or config.get("template", "").removeprefix("${CLAIM.").removesuffix("}")
        if not path:
            continue  # the hard-coded role mapper reads no claim
        value: Any = claims
        for part in path.split("."):
            value = value[part]
        assert isinstance(value, str) and value, path
    assert set(ID_TOKEN_CLAIMS) <= set(claims)


def test_subject_is_stable_and_opaque() -> None:
    assert subject("1101700230708") == subject("1101700230708") != subject("3100500123458")
    assert "1101700230708" not in subject("1101700230708")


def test_listed_people_win_over_made_up_ones() -> None:
    listed = parse_people([person_entry(given_name="รายชื่อ")])
    assert person_for("1101700230708", listed).given_name == "รายชื่อ"
    assert person_for("3100500123458", listed).citizen_id == "3100500123458"


def basic(raw: str) -> str:
    return "Basic " + base64.b64encode(raw.encode()).decode()


def test_client_credentials() -> None:
    assert client_credentials(basic("thaid-dev:a%3Ab+c"), {}) == ("thaid-dev", "a:b c")
    assert client_credentials(None, {"client_id": "thaid-dev", "client_secret": "s"}) == ("thaid-dev", "s")
    assert client_credentials(None, {"client_id": "thaid-dev"}) is None
    for header, form in ((basic("x:y"), {"client_secret": "y"}), (basic("x:y"), {"client_id": "z"}),
                         (basic("no-colon"), {}), ("Basic ***", {}), ("Basic ไทย", {}),
                         (basic("x:y")[:-2] + "\xff\xfe", {}), ("Bearer abc", {})):
        with pytest.raises(ClientAuthError):
            client_credentials(header, form)


def test_client_authenticated() -> None:
    assert client_authenticated(("thaid-dev", "s"), "thaid-dev", "s")
    assert not client_authenticated(("thaid-dev", "t"), "thaid-dev", "s")
    assert not client_authenticated(("other", "s"), "thaid-dev", "s")
    assert not client_authenticated(("thaid-dev", ""), "thaid-dev", None)
    assert not client_authenticated(("thaid-dev", ""), "thaid-dev", "")
    assert not client_authenticated(None, "thaid-dev", "s")


@pytest.mark.parametrize("env", ["test", "production"])
def test_the_simulator_refuses_to_be_built_outside_dev(env: Literal["test", "production"], tmp_path: Path) -> None:
    from identity.adapters.signing_keys import KeyRing
    from identity.api.thaid_simulator import ThaidSimulatorRefused, build_router
    from identity.settings import Settings

    settings = Settings.model_construct(env=env)  # production's own checks are not what is tested here
    with pytest.raises(ThaidSimulatorRefused):
        build_router(settings, KeyRing(tmp_path))
