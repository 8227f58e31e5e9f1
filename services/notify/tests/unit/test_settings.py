from __future__ import annotations

import pytest

from notify.settings import Settings


def test_defaults_match_the_documented_port_and_database(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("NOTIFY_PORT", "NOTIFY_MONGODB_DATABASE"):
        monkeypatch.delenv(var, raising=False)
    settings = Settings()
    assert (settings.port, settings.mongodb_database) == (8004, "notify")


def test_port_and_database_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_PORT", "9104")
    monkeypatch.setenv("NOTIFY_MONGODB_DATABASE", "notify_blue")
    settings = Settings()
    assert (settings.port, settings.mongodb_database) == (9104, "notify_blue")


def test_production_refuses_the_dev_provider_secrets_and_sinks() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="SMS_RECEIPT_SECRET") as refused:
        Settings(env="production", mongodb_uri="mongodb://db:27017/", kafka_bootstrap_servers="kafka:9092",
                 oidc_issuer_url="https://sso.example.go.th/realms/debt")
    for name in ("SMTP_HOST", "SMS_PASSWORD", "LINE_CHANNEL_TOKEN", "REGISTRATION_URL", "CLIENT_SECRET"):
        assert name in str(refused.value)
