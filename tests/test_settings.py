"""Production mode refuses development defaults; the dev issuer refuses to run outside dev."""

from __future__ import annotations

import importlib

import pytest
from pydantic import ValidationError

SERVICES = ["registration", "identity", "reporting", "notify"]
REAL = {
    "mongodb_uri": "mongodb://db-0.mongo:27017,db-1.mongo:27017/?replicaSet=rs0",
    "kafka_bootstrap_servers": "kafka-0:9092",
    "oidc_issuer_url": "https://sso.example.go.th/realms/debt",
}


def settings_class(service: str) -> type:
    return importlib.import_module(f"{service}.settings").Settings  # type: ignore[no-any-return]


@pytest.mark.parametrize("service", SERVICES)
def test_production_with_dev_defaults_is_refused(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("MONGODB_URI", "KAFKA_BOOTSTRAP_SERVERS", "OIDC_ISSUER_URL"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ValidationError, match="MONGODB_URI"):
        settings_class(service)(env="production")


# Identity also holds the Keycloak admin client and the session key.
IDENTITY_REAL = {
    "public_url": "https://id.example.go.th",
    "keycloak_url": "https://sso.example.go.th",
    "keycloak_admin_client_id": "debt-identity",
    "keycloak_admin_client_secret": "k" * 40,
    "session_secret": "s" * 40,
    "public_client_secret": "p" * 40,
    "staff_client_secret": "t" * 40,
}


# Notify also holds its providers' endpoints and secrets, and its contact source (issue #11).
NOTIFY_REAL = {
    "smtp_host": "smtp.example.go.th", "sms_gateway_url": "https://sms.example.go.th/send", "sms_password": "m" * 40,
    "sms_receipt_secret": "r" * 40, "line_api_url": "https://api.line.me", "line_channel_token": "l" * 40,
    "registration_url": "http://registration:8001", "client_secret": "c" * 40,
    "unit_mailbox": "saraban.{unit}@example.go.th", "identity_url": "http://identity:8002", "optout_key": "o" * 40,
    "public_url": "https://debt.example.go.th",
}


@pytest.mark.parametrize("service", SERVICES)
def test_production_with_real_endpoints_starts(service: str) -> None:
    extra = {"identity": IDENTITY_REAL, "notify": NOTIFY_REAL}.get(service, {})
    assert settings_class(service)(env="production", **REAL, **extra).env == "production"


def test_production_needs_https_issuer() -> None:
    with pytest.raises(ValidationError, match="https"):
        settings_class("registration")(env="production", **{**REAL, "oidc_issuer_url": "http://sso/realms/debt"})


def test_settings_read_the_documented_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_URI", "mongodb://elsewhere:27017/")
    monkeypatch.setenv("REGISTRATION_PORT", "9101")
    settings = settings_class("registration")()
    assert (settings.mongodb_uri, settings.port) == ("mongodb://elsewhere:27017/", 9101)


def test_thaid_simulator_refuses_outside_dev() -> None:
    from identity.main import create_app
    from identity.settings import Settings

    with pytest.raises(ValidationError):
        Settings(env="production")  # missing real endpoints
    from identity.adapters.signing_keys import KeyRing
    from identity.api.thaid_simulator import ThaidSimulatorRefused, build_router

    with pytest.raises(ThaidSimulatorRefused):
        build_router(Settings(env="test"), KeyRing.__new__(KeyRing))
    assert all(not getattr(r, "path", "").startswith("/dev/") for r in create_app(Settings(env="test")).routes)
