"""The production stack description agrees with the code: ports, env names, images, scraping, realm."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI

from contracts.registry import TopicSpec
from infra.kafka.create_topics import new_topics, topic_configs
from tests.compose_support import env_names, environment, fill_compose_environment, settings_class, settings_classes

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
SERVICES = ["registration", "identity", "reporting", "notify"]
REQUIRED_IN_PRODUCTION = {"MONGODB_URI", "KAFKA_BOOTSTRAP_SERVERS", "OIDC_ISSUER_URL", "ENV"}
SECRET_WORDS = {"PASSWORD", "PASSWD", "SECRET", "KEY", "TOKEN", "CREDENTIALS"}
REQUIRED_VAR = re.compile(r"^\$\{[A-Z0-9_]+:\?[^}]+\}$")
ROLES = {"citizen", "registrar", "district_officer", "province_officer", "dopa_admin", "auditor"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((INFRA / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((INFRA / "keycloak" / "realm-debt.json").read_text(encoding="utf-8"))
    return loaded


def is_secret_name(key: str) -> bool:
    return any(word in SECRET_WORDS or "PASSWORD" in word or "SECRET" in word for word in key.upper().split("_"))


def port_pairs(service: dict[str, Any]) -> list[tuple[int, int]]:
    """(host port, container port) of each short-syntax mapping such as "127.0.0.1:8001:8001"."""
    pairs = []
    for mapping in service.get("ports", []):
        host, container = str(mapping).split("/")[0].rsplit(":", 2)[-2:]
        pairs.append((int(host), int(container)))
    return pairs


# ------------------------------------------------------------------ the four services


@pytest.mark.parametrize("name", SERVICES)
def test_service_is_built_from_its_dockerfile(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    build = service["build"]
    assert (INFRA / build["context"]).resolve() == ROOT
    assert build["dockerfile"] == f"services/{name}/Dockerfile"
    assert (ROOT / build["dockerfile"]).is_file()


@pytest.mark.parametrize("name", SERVICES)
def test_published_port_is_the_settings_default(compose: dict[str, Any], name: str) -> None:
    port = settings_class(name).model_fields["port"].default
    assert port_pairs(compose["services"][name]) == [(port, port)]


@pytest.mark.parametrize("name", SERVICES)
def test_environment_names_are_understood_by_settings(compose: dict[str, Any], name: str) -> None:
    env = environment(compose["services"][name])
    unknown = set(env) - env_names(name)
    assert not unknown, f"{name} does not read {sorted(unknown)}"


@pytest.mark.parametrize("name", SERVICES)
def test_production_requirements_are_set(compose: dict[str, Any], name: str) -> None:
    env = environment(compose["services"][name])
    assert set(env) >= REQUIRED_IN_PRODUCTION
    assert env["ENV"] == "production"
    assert env["HOST"] == "0.0.0.0"  # noqa: S104 - must be reachable from other containers
    assert env["OIDC_ISSUER_URL"].startswith("https://")
    assert env["OIDC_ISSUER_URL"].endswith("/realms/debt")
    port = settings_class(name).model_fields["port"].default
    assert env[f"{name.upper()}_PORT"] == str(port)


@pytest.mark.parametrize("name", SERVICES)
def test_settings_accept_the_compose_environment(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the required variables filled in, every production settings class builds (no dev-default refusal)."""
    fill_compose_environment(name, compose["services"][name], monkeypatch)
    for cls in settings_classes(name):
        built = cls()
        assert getattr(built, "env", "production") == "production", cls
    settings = settings_class(name)()
    assert settings.port == settings_class(name).model_fields["port"].default
    assert settings.mongodb_database == name


@pytest.mark.parametrize("name", SERVICES)
def test_the_service_starts_with_the_compose_environment(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``create_app()`` as ``python -m <service>`` calls it in the container: from the compose environment alone.
    A setting some part of the service reads at start (pages, limits, proxies) and compose lacks fails here."""
    fill_compose_environment(name, compose["services"][name], monkeypatch)
    app = importlib.import_module(f"{name}.main").create_app()
    assert isinstance(app, FastAPI) and app.routes


def test_a_missing_page_secret_is_caught(compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The start test above would have caught registration's missing page settings."""
    from pydantic import ValidationError

    service = {**compose["services"]["registration"]}
    service["environment"] = {k: v for k, v in environment(service).items() if k != "REGISTRATION_SESSION_SECRET"}
    fill_compose_environment("registration", service, monkeypatch)
    with pytest.raises(ValidationError, match="REGISTRATION_SESSION_SECRET"):
        importlib.import_module("registration.main").create_app()


@pytest.mark.parametrize("name", SERVICES)
def test_healthcheck_asks_healthz_and_waits_for_dependencies(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    port = settings_class(name).model_fields["port"].default
    assert f"127.0.0.1:{port}/healthz" in " ".join(service["healthcheck"]["test"])
    depends = service["depends_on"]
    assert depends["mongo-init"]["condition"] == "service_completed_successfully"
    assert depends["kafka-init"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("name", SERVICES)
def test_dockerfile_runs_the_service_as_non_root(name: str) -> None:
    text = (ROOT / "services" / name / "Dockerfile").read_text(encoding="utf-8")
    cmd = [line for line in text.splitlines() if line.startswith("CMD ")]
    assert len(cmd) == 1
    assert json.loads(cmd[0].removeprefix("CMD ")) == ["python", "-m", name]
    assert "ARG PYTHON_IMAGE=python:3.11." in text  # an exact tag; tests/test_images.py checks the rest
    assert f"-c constraints.txt ./contracts ./services/{name}" in text
    user = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert user and user[-1] not in {"root", "0", "0:0"}
    assert "HEALTHCHECK" in text and "/healthz" in text


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".venv", "var", "**/*.egg-info", "**/__pycache__"):
        assert entry in ignored


# ------------------------------------------------------------------ secrets and the rest of the stack


def test_no_literal_secrets_in_any_service(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for key, value in environment(service).items():
            if not is_secret_name(key):
                continue
            if key.endswith("_FILE"):
                assert value.startswith("/run/secrets/"), f"{name}.{key}"
            else:
                assert REQUIRED_VAR.match(value), f"{name}.{key} must be ${{VAR:?...}}, not a literal"
        for key, value in environment(service).items():
            userinfo = re.match(r"^[a-z+]+://([^/@]*)@", value)
            if userinfo and ":" in userinfo.group(1):
                password = userinfo.group(1).split(":", 1)[1]
                assert REQUIRED_VAR.match(password), f"{name}.{key} has a literal password in its URI"


def test_secret_files_come_from_outside_the_repository(compose: dict[str, Any]) -> None:
    for name, secret in compose["secrets"].items():
        assert secret["file"].startswith("${SECRETS_DIR:?"), name


def test_kafka_has_no_topic_auto_creation(compose: dict[str, Any]) -> None:
    brokers = [s for s in compose["services"].values() if str(s.get("image", "")).startswith("apache/kafka")]
    assert brokers
    for broker in brokers:
        assert environment(broker)["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    init = compose["services"]["kafka-init"]
    assert init["command"][-1].endswith("create_topics.py")


def test_mongo_is_a_keyfile_replica_set(compose: dict[str, Any]) -> None:
    for member in ("mongo-0", "mongo-1", "mongo-2"):
        command = " ".join(compose["services"][member]["command"])
        assert "--replSet rs0" in command and "--keyFile" in command
    assert "rs.initiate" in " ".join(compose["services"]["mongo-init"]["command"])


def test_keycloak_imports_the_realm(compose: dict[str, Any]) -> None:
    keycloak = compose["services"]["keycloak"]
    assert keycloak["image"].startswith("quay.io/keycloak/keycloak:26")
    assert keycloak["command"] == ["start", "--import-realm"]
    assert any(v.startswith("./keycloak:/opt/keycloak/data/import") for v in keycloak["volumes"])


def test_prometheus_scrapes_every_service() -> None:
    config = yaml.safe_load((INFRA / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    targets = {
        target
        for job in config["scrape_configs"]
        if job.get("metrics_path", "/metrics") == "/metrics"
        for static in job.get("static_configs", [])
        for target in static["targets"]
    }
    for name in SERVICES:
        assert f"{name}:{settings_class(name).model_fields['port'].default}" in targets


def test_alert_rules_cover_down_unready_and_outbox() -> None:
    rules = yaml.safe_load((INFRA / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))
    exprs = " ".join(rule["expr"] for group in rules["groups"] for rule in group["rules"])
    for metric in ("up{", "probe_success", "outbox_events_in_flight", "outbox_delivery_failures_total"):
        assert metric in exprs


# ------------------------------------------------------------------ Keycloak realm


def walk(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}[{i}]")


def test_realm_roles_and_clients(realm: dict[str, Any]) -> None:
    assert realm["realm"] == "debt"
    assert {r["name"] for r in realm["roles"]["realm"]} == ROLES
    clients = {c["clientId"]: c for c in realm["clients"]}
    assert {"debt-public", "debt-staff", *(f"debt-{s}" for s in SERVICES)} <= set(clients)
    for browser, secret in (("debt-public", "DEBT_PUBLIC_CLIENT_SECRET"), ("debt-staff", "DEBT_STAFF_CLIENT_SECRET")):
        # Server-side page apps: confidential, the secret from the environment, PKCE too, exact redirect URIs.
        assert clients[browser]["publicClient"] is False
        assert clients[browser]["secret"] == "${" + secret + "}"
        assert clients[browser]["attributes"]["pkce.code.challenge.method"] == "S256"
        assert not [uri for uri in clients[browser]["redirectUris"] if "*" in uri]
        assert "*" not in clients[browser]["attributes"]["post.logout.redirect.uris"]
    for service in SERVICES:
        assert clients[f"debt-{service}"]["serviceAccountsEnabled"] is True
    identity_sa = next(u for u in realm["users"] if u.get("serviceAccountClientId") == "debt-identity")
    assert {"manage-users", "view-users", "query-groups"} <= set(identity_sa["clientRoles"]["realm-management"])


def test_realm_tokens_carry_the_claims_services_read(realm: dict[str, Any]) -> None:
    clients = {c["clientId"]: c for c in realm["clients"]}
    for browser in ("debt-public", "debt-staff"):
        claims = {m["config"].get("claim.name") for m in clients[browser]["protocolMappers"]}
        assert {"unit_code", "unit_kind", "given_name", "family_name", "realm_access.roles"} <= claims
        # A citizen's token proves who they are; a staff token needs no personal data of its holder.
        personal = {"citizen_id", "birthdate"}
        assert personal & claims == (personal if browser == "debt-public" else set())
        audiences = {m["config"].get("included.custom.audience") for m in clients[browser]["protocolMappers"]}
        assert "debt-services" in audiences
    assert realm["accessTokenLifespan"] == 300
    assert realm["sslRequired"] == "external"
    assert realm["bruteForceProtected"] is True
    for part in ("length(12)", "notUsername", "passwordHistory(5)"):
        assert part in realm["passwordPolicy"]


def test_realm_brokers_thaid_with_pid_as_citizen_id(realm: dict[str, Any]) -> None:
    thaid = next(p for p in realm["identityProviders"] if p["alias"] == "thaid")
    assert thaid["providerId"] == "oidc"
    assert thaid["config"]["tokenUrl"].startswith("https://imauth.bora.dopa.go.th/")
    assert "pid" in thaid["config"]["defaultScope"].split()
    mappers = [m for m in realm["identityProviderMappers"] if m["identityProviderAlias"] == "thaid"]
    assert any(m["config"].get("claim") == "pid" and m["config"].get("user.attribute") == "citizen_id" for m in mappers)


def test_realm_holds_no_secrets(realm: dict[str, Any]) -> None:
    for path, key, value in walk(realm):
        lowered = key.lower()
        if lowered in {"secret", "clientsecret", "password", "value"} and isinstance(value, str):
            # Keycloak resolves ${vault.…} from its vault and ${NAME} from the environment at import.
            assert re.fullmatch(r"\$\{(vault\.[a-z_]+|[A-Z_]+_SECRET)\}", value), f"{path}.{key} holds a literal secret"
        if lowered == "credentials":
            assert not value, f"{path} ships credentials"


def test_realm_unit_groups_carry_unit_attributes(realm: dict[str, Any]) -> None:
    units = [value for _, key, value in walk(realm["groups"]) if key == "attributes" and value]
    assert units
    for attributes in units:
        assert re.fullmatch(r"[0-9]{2,8}", attributes["unit_code"][0])
        assert attributes["unit_kind"][0] in {
            "district_office", "bangkok_district_office", "province_centre", "province", "nation"
        }


# ------------------------------------------------------------------ topic creation


def spec(**overrides: Any) -> TopicSpec:
    fields: dict[str, Any] = {
        "name": "case-events", "key": "case_id", "partitions": 6, "replication_factor": 3,
        "cleanup_policy": "delete", "retention_ms": 2_592_000_000, "producers": ("registration",),
        "consumers": ("reporting",), "events": {"CaseRegistered": (1,)},
    }
    return TopicSpec(**(fields | overrides))


def test_topic_configs_carry_partitions_replication_and_retention() -> None:
    [config] = topic_configs([spec()])
    assert (config.name, config.partitions, config.replication_factor) == ("case-events", 6, 3)
    assert config.config == {"cleanup.policy": "delete", "retention.ms": "2592000000"}


def test_compacted_topic_without_retention_and_capped_replication() -> None:
    [config] = topic_configs([spec(cleanup_policy="compact", retention_ms=None)], max_replication=1)
    assert config.replication_factor == 1
    assert config.config == {"cleanup.policy": "compact"}


def test_every_contract_topic_becomes_a_new_topic() -> None:
    from contracts import registry

    topics = new_topics(topic_configs(registry.topics().values()))
    assert {t.topic for t in topics} == set(registry.topics())
    for topic in topics:
        contract = registry.topic(topic.topic)
        assert (topic.num_partitions, topic.replication_factor) == (contract.partitions, contract.replication_factor)


def test_realm_declares_every_attribute_identity_provisions(realm: dict[str, Any]) -> None:
    """Keycloak 24+ drops undeclared user attributes; identity's must be declared, editable by admins only."""
    from contracts.claims import Role, UnitKind
    from identity.adapters.keycloak_directory import _attributes
    from identity.domain.staff import StaffRow

    row = StaffRow(row=2, citizen_id="3470100000011", title="นาย", given_name="ก", family_name="ข", position="ปลัด",
                   unit_code="4701", unit_kind=UnitKind.DISTRICT_OFFICE, role=Role.REGISTRAR, email="a@b.go.th",
                   phone="0812345678")
    profile = realm["components"]["org.keycloak.userprofile.UserProfileProvider"][0]["config"]
    declared = {a["name"]: a for a in json.loads(profile["kc.user.profile.config"][0])["attributes"]}
    for name in _attributes(row):
        assert name in declared, f"user profile does not declare {name}"
        assert declared[name]["permissions"]["edit"] == ["admin"], f"users could edit their own {name}"


def test_realm_lets_identity_sign_in_and_provision(realm: dict[str, Any]) -> None:
    clients = {c["clientId"]: c for c in realm["clients"]}
    for browser in ("debt-public", "debt-staff"):
        assert "https://${IDENTITY_HOSTNAME}/signin/callback" in clients[browser]["redirectUris"]
    identity_sa = next(u for u in realm["users"] if u.get("serviceAccountClientId") == "debt-identity")
    assert "view-realm" in identity_sa["clientRoles"]["realm-management"]  # GET /roles/{name} before mapping
    thaid = {m["config"].get("claim"): m["config"].get("user.attribute") for m in realm["identityProviderMappers"]
             if m["identityProviderAlias"] == "thaid"}
    assert thaid["pid"] == "citizen_id" and thaid["birthdate"] == "birthdate"


def test_realm_example_groups_are_named_as_identity_creates_them(realm: dict[str, Any]) -> None:
    from identity.adapters.geothai_units import load_catalogue
    from identity.domain.units import group_chain, kind_for

    def paths(groups: list[dict[str, Any]], prefix: str = "") -> set[str]:
        found = set()
        for group in groups:
            found.add(f"{prefix}/{group['name']}")
            found |= paths(group.get("subGroups", []), f"{prefix}/{group['name']}")
        return found

    from contracts.claims import Role

    existing = paths(realm["groups"])
    for role, code in ((Role.REGISTRAR, "4701"), (Role.REGISTRAR, "1001"), (Role.REGISTRAR, "47"),
                       (Role.DOPA_ADMIN, "00")):
        kind = kind_for(role, code)
        assert kind is not None
        chain = group_chain(load_catalogue(), code, kind)
        assert "/" + "/".join(name for name, _ in chain) in existing, (role, code)


@pytest.mark.parametrize("client_id", ["debt-public", "debt-staff"])
def test_registration_sign_in_callback_is_a_redirect_uri(realm: dict[str, Any], client_id: str) -> None:
    from registration.web import sign_in as pages_auth

    callbacks = {getattr(r, "path", "") for r in pages_auth.router.routes} & {"/auth/callback"}
    assert callbacks, "registration's OIDC callback route moved: update the realm's redirect URIs"
    client = next(c for c in realm["clients"] if c["clientId"] == client_id)
    assert "https://${APP_HOSTNAME}/auth/callback" in client["redirectUris"]
