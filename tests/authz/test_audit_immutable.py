"""Proof (issue 4): the audit log cannot be edited through any API, of any service.

- No route of any service whose path contains ``audit`` accepts PUT, PATCH or DELETE (and no app is
  mounted under such a path, where its routes could not be checked).
- Every identity route on the audit log (API and page) answers GET only.
- The audit store classes have no method that updates or deletes, and their code never calls one of
  MongoDB's update/replace/delete operations.
- On the running stack, PUT/PATCH/DELETE on every audit path (and one level below it) is 404/405.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from infra.dev.testing import RunningService
from tests.authz.test_matrix import SERVICES, build_app

WRITES = {"PUT", "PATCH", "DELETE"}
_STORE_CLASS = re.compile(r"Audit\w*(Store|Log|Repository|Collection|Archive)")
_CHANGING_NAME = re.compile(r"update|delete|remove|replace|drop|edit|modify|erase|purge|clear|set_|rename|truncate",
                            re.IGNORECASE)
_CHANGING_CALL = re.compile(r"\.(update_one|update_many|replace_one|delete_one|delete_many|find_one_and_\w+|drop\w*|"
                            r"bulk_write|rename|remove)\(")


def audit_routes(app: FastAPI) -> Iterator[tuple[str, set[str], bool]]:
    """(path, methods, is_mount) of every route whose path mentions the audit log."""
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if "audit" in path.lower():
            yield path, set(context.methods or ()), isinstance(context.original_route, Mount)


@pytest.mark.parametrize("service", SERVICES)
def test_no_route_of_any_service_can_change_the_audit_log(service: str, tmp_path: Path) -> None:
    found = list(audit_routes(build_app(service, tmp_path)))
    writable = [(p, sorted(m & WRITES)) for p, m, _ in found if m & WRITES]
    mounted = [p for p, _m, is_mount in found if is_mount]
    assert not writable, f"{service}: audit routes accepting writes: {writable}"
    assert not mounted, f"{service}: apps mounted under an audit path cannot be checked: {mounted}"


def test_identity_serves_the_audit_log_read_only(tmp_path: Path) -> None:
    found = {path: methods for path, methods, _ in audit_routes(build_app("identity", tmp_path))}
    assert {"/api/v1/audit", "/audit"} <= set(found)  # the check below is about real routes, not none
    api = {p: m for p, m in found.items() if p.startswith("/api/")}
    assert api and all(m - {"HEAD"} == {"GET"} for m in api.values()), api
    assert all(m - {"HEAD"} == {"GET"} for m in found.values()), found


def _store_classes() -> list[type]:
    classes: dict[str, type] = {}
    for service in SERVICES:
        for layer in ("adapters", "domain"):
            try:
                package = importlib.import_module(f"{service}.{layer}")
            except ModuleNotFoundError:
                continue
            for module_info in pkgutil.iter_modules(package.__path__, f"{service}.{layer}."):
                module = importlib.import_module(module_info.name)
                for name, cls in inspect.getmembers(module, inspect.isclass):
                    if cls.__module__ == module.__name__ and _STORE_CLASS.fullmatch(name):
                        classes[f"{module.__name__}.{name}"] = cls
    return list(classes.values())


def test_audit_stores_have_no_way_to_update_or_delete() -> None:
    stores = _store_classes()
    assert any(cls.__name__ == "AuditStore" for cls in stores), "identity's AuditStore was not found"
    for cls in stores:
        methods = [name for name, _ in inspect.getmembers(cls, inspect.isfunction)]
        assert not [m for m in methods if _CHANGING_NAME.search(m)], f"{cls.__qualname__}: {methods}"
        calls = _CHANGING_CALL.findall(inspect.getsource(cls))
        assert not calls, f"{cls.__qualname__} calls {calls}"


def _paths(app: FastAPI) -> set[str]:
    filled = {re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", p) for p, _m, _ in audit_routes(app)}
    return filled | {f"{p.rstrip('/')}/00000000-0000-4000-8000-000000000000" for p in filled}


def test_no_running_service_lets_anyone_change_the_audit_log(stack: dict[str, RunningService],
                                                             token_for: Callable[[str], str]) -> None:
    tried, refused = 0, []
    for service in SERVICES:
        running = stack[service]
        for persona in ("auditor", "dopa_admin"):
            headers = {"Authorization": f"Bearer {token_for(persona)}"}
            for path in sorted(_paths(running.app)):
                for method in sorted(WRITES):
                    answer = httpx.request(method, running.url + path, headers=headers, timeout=10,
                                           json={"outcome": "denied", "actor_sub": "someone-else"})
                    tried += 1
                    if answer.status_code not in (404, 405):
                        refused.append(f"{service} {method} {path} as {persona}: {answer.status_code}")
    assert tried >= 12 and not refused, refused
