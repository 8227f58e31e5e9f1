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
