"""Browsers already signed in to reporting's staff pages (a session stored as sign-in would store it), for
page tests that run without Keycloak."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from reporting.web.context import COOKIE

PERSONAS: dict[str, dict[str, Any]] = {
    "dopa": {"roles": ["dopa_admin"]},
    "province_47": {"roles": ["province_officer"], "unit_code": "47"},
    "province_48": {"roles": ["province_officer"], "unit_code": "48"},
    "district_4701": {"roles": ["district_officer"], "unit_code": "4701"},
    "district_4702": {"roles": ["district_officer"], "unit_code": "4702"},
    "registrar_4701": {"roles": ["registrar"], "unit_code": "4701"},
}


def browser(app: FastAPI, persona: str | None, personas: Mapping[str, Mapping[str, Any]] = PERSONAS) -> TestClient:
    """A client with ``persona``'s session cookie, or none for ``None``."""
    client = TestClient(app)
    if persona is not None:
        sid = app.state.web.sessions(None).create(
            {"kind": "staff", "claims": {"sub": persona, **personas[persona]}, "token_exp": time.time() + 300}, 300)
        client.cookies.set(COOKIE, app.state.web.cookie_value(sid))
    return client


def every_persona(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    clients = {persona: browser(app, persona) for persona in PERSONAS}
    yield clients
    for client in clients.values():
        client.close()
