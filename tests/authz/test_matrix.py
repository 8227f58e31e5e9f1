"""Authorization matrix: every route of every service × every persona → the expected status.

Fails when a route has no entry, when an entry names a route that is gone, or when a service answers
differently from its entry. The entry format is in README.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from infra.dev.browser import DevBrowser, csrf_in
from infra.dev.testing import RunningService
from tests.authz.model import PERSONAS, Context, Entry, matches

SERVICES = ("identity", "registration", "reporting", "notify")
NOT_AUTHORIZATION = {"/healthz", "/readyz", "/metrics", "/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc"}
Route = tuple[str, str]


def routes_of(app: FastAPI) -> set[Route]:
    found: set[Route] = set()
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path or ""
        if isinstance(route, Mount):
            if not isinstance(route.app, StaticFiles):
                found.add(("MOUNT", path))
            continue
        if path in NOT_AUTHORIZATION:
            continue
        found.update((method, path) for method in (context.methods or set()) - {"HEAD"})
    return found


def build_app(service: str, tmp: Path) -> FastAPI:
    """The service's app as its factory builds it (not started), for listing routes."""
    main = importlib.import_module(f"{service}.main")
    settings_cls = importlib.import_module(f"{service}.settings").Settings
    extra: dict[str, Any] = {"dev_key_dir": tmp} if service == "identity" else {}
    app: FastAPI = main.create_app(settings_cls(env="dev", **extra))
    return app


def matrix_module(service: str) -> ModuleType | None:
    name = f"tests.authz.matrix_{service}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name != name:
            raise
        return None


def coverage_problems(service: str, routes: set[Route]) -> list[str]:
    module = matrix_module(service)
    if module is None:
        listed = "\n  ".join(f"{m} {p}" for m, p in sorted(routes, key=lambda r: (r[1], r[0])))
        return [f"tests/authz/matrix_{service}.py does not exist; its routes have no entries:\n  {listed}"]
    entries: list[Entry] = module.ENTRIES
    keys = [e.key for e in entries]
    problems = [p for e in entries for p in e.problems()]
    problems += [f"duplicate entry {m} {p}" for m, p in sorted({k for k in keys if keys.count(k) > 1})]
    problems += [f"no entry for {m} {p}" for m, p in sorted(routes - set(keys), key=lambda r: (r[1], r[0]))]
    problems += [f"entry for a route that does not exist: {m} {p}" for m, p in sorted(set(keys) - routes)]
    if any(e.auth == "session" for e in entries) and not hasattr(module, "sign_in"):
        problems.append(f"matrix_{service} has session entries but no sign_in(service_url, persona, issuer_url)")
    return problems


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_has_an_entry(service: str, tmp_path: Path) -> None:
    problems = coverage_problems(service, routes_of(build_app(service, tmp_path)))
    assert not problems, f"{service}: {len(problems)} problems\n" + "\n".join(problems)


class Sender:
    """Sends one entry's request as one persona; keeps signed-in browsers per service and persona."""

    def __init__(self, token_for: Callable[[str], str], issuer_url: str) -> None:
        self.token_for = token_for
        self.issuer_url = issuer_url
        self.browsers: dict[tuple[str, str], DevBrowser] = {}

    def browser(self, service: str, module: ModuleType, url: str, persona: str, auth: str) -> DevBrowser:
        key = (service, persona if auth == "session" else f"{persona}:bearer")
        if key not in self.browsers:
            spec = PERSONAS[persona]
            if auth == "session" and spec is not None:
                self.browsers[key] = module.sign_in(url, spec, self.issuer_url)
            else:
                self.browsers[key] = DevBrowser()
        return self.browsers[key]

    def send(self, service: str, module: ModuleType, url: str, entry: Entry, persona: str, ctx: Context) -> Any:
        call = entry.resolve_call(ctx, persona)
        browser = self.browser(service, module, url, persona, entry.auth)
        headers = dict(call.headers or {})
        spec = PERSONAS[persona]
        if entry.auth == "bearer" and spec is not None:
            headers["Authorization"] = f"Bearer {self.token_for(spec)}"
        data = dict(call.data or {})
        if call.csrf_from:
            page = browser.get(url + call.csrf_from, headers=headers)
            try:
                data[call.csrf_field] = csrf_in(page.text)
            except AssertionError:
                data[call.csrf_field] = ""  # no form for this persona: the request goes without a token
        extra = {k: v.format_map(ctx.values) for k, v in entry.path_values.items()}
        path = entry.path.format_map({**ctx.values, **extra})
        return browser.request(entry.method, url + path, headers=headers, json=call.json, data=data or None,
                               files=call.files, params=call.params)

    def close(self) -> None:
        for browser in self.browsers.values():
            browser.__exit__()


@pytest.fixture
def sender(token_for: Callable[[str], str], issuer_url: str) -> Iterator[Sender]:
    sending = Sender(token_for, issuer_url)
    yield sending
    sending.close()


def in_sending_order(entries: list[Entry]) -> list[Entry]:
    """A module's entries with the pages' sign-in routes (``…/auth/…``) last: starting or ending a sign-in
    replaces the browser's session cookie, which the other page entries need."""
    return sorted(entries, key=lambda e: e.auth == "session" and "/auth/" in e.path)


def test_matrix(stack: dict[str, RunningService], seeded: Context, sender: Sender) -> None:
    """One request per route × persona on the running stack; all mismatches are reported together."""
    failures: list[str] = []
    for service in SERVICES:
        running = stack[service]
        routes = routes_of(running.app)
        problems = coverage_problems(service, routes)
        failures += [f"{service}: {p}" for p in problems]
        module = matrix_module(service)
        if module is None:
            continue
        for entry in in_sending_order(module.ENTRIES):
            if entry.key not in routes or entry.method == "MOUNT" or entry.problems():
                continue
            for persona, outcome in entry.expect.items():
                answer = sender.send(service, module, running.url, entry, persona, seeded)
                if not matches(outcome, answer.status_code):
                    failures.append(f"{service} {entry.method} {entry.path} as {persona}: expected {outcome}, got "
                                    f"{answer.status_code} {answer.text[:160]!r}")
    assert not failures, f"{len(failures)} authorization matrix failures:\n" + "\n".join(failures)
