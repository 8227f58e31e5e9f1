"""An HTTP-level stand-in for the parts of Keycloak's Admin REST API that identity uses, as
documented (https://www.keycloak.org/docs-api/latest/rest-api/): the token endpoint (client
credentials), users (CRUD, search by username / e-mail / attribute ``q``), groups (top level,
children, by path, members, delete), realm roles and users' realm-role mappings, federated identities
(read, remove), logout and execute-actions-email. It records every request so tests can assert the
exact calls, and can be told to fail chosen requests (``fail``) to test what callers do then.

For tests, and for ``ENV=dev`` when no KEYCLOAK_URL is set. In memory only.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

REALM_ROLES = ("citizen", "registrar", "district_officer", "province_officer", "dopa_admin", "auditor")
Json = dict[str, Any]


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class _State:
    users: dict[str, Json] = field(default_factory=dict)
    groups: dict[str, Json] = field(default_factory=dict)  # id → group (with "parent" id)
    memberships: dict[str, set[str]] = field(default_factory=dict)  # user id → group ids
    role_mappings: dict[str, set[str]] = field(default_factory=dict)  # user id → role names
    roles: dict[str, Json] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)
    logouts: list[str] = field(default_factory=list)
    action_emails: list[tuple[str, list[str], dict[str, str]]] = field(default_factory=list)
    federated: dict[str, dict[str, Json]] = field(default_factory=dict)  # user id → provider alias → link


@dataclass
class _Failure:
    method: str  # "*" for any
    path: re.Pattern[str]
    status: int
    remaining: int | None  # None: every matching request from now on
    skip: int  # matching requests still to let through before failing


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errorMessage": message, "error": message}, status_code=status)


class FakeKeycloak:
    def __init__(self, realm: str = "debt", client_id: str = "debt-identity", smtp_works: bool = True) -> None:
        self.realm = realm
        self.client_id = client_id
        self.client_secret = secrets.token_urlsafe(24)
        self.smtp_works = smtp_works
        self.requests: list[Recorded] = []
        self.failures: list[_Failure] = []
        self.state = _State()
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        for name in REALM_ROLES:
            self.state.roles[name] = {"id": self._new_id(), "name": name, "composite": False, "clientRole": False,
                                      "containerId": realm}
        self.app = self._build()

    def _new_id(self) -> str:
        return f"00000000-0000-4000-8000-{next(self._ids):012d}"

    # ------------------------------------------------------------------ helpers for tests

    def fail(self, method: str, path: str, status: int = 500, times: int | None = 1, skip: int = 0) -> None:
        """Answers ``times`` requests (None: all) whose method and path (a regular expression searched in
        the path) match with ``status``, after letting ``skip`` of them through; all are recorded."""
        self.failures.append(_Failure(method.upper(), re.compile(path), status, times, skip))

    def _injected(self, method: str, path: str) -> int | None:
        with self._lock:
            for rule in self.failures:
                if rule.method in ("*", method) and rule.path.search(path) and rule.remaining != 0:
                    if rule.skip > 0:
                        rule.skip -= 1
                        continue
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    return rule.status
        return None

    def admin_requests(self) -> list[Recorded]:
        """Requests to the Admin API (token requests left out)."""
        return [r for r in self.requests if r.path.startswith("/admin/")]

    def user_by_username(self, username: str) -> Json | None:
        return next((u for u in self.state.users.values() if u["username"] == username.lower()), None)

    def group_path(self, group_id: str) -> str:
        return str(self.state.groups[group_id]["path"])

    def groups_of(self, user_id: str) -> set[str]:
        return {self.group_path(g) for g in self.state.memberships.get(user_id, set())}

    def roles_of(self, user_id: str) -> set[str]:
        return set(self.state.role_mappings.get(user_id, set()))

    # ------------------------------------------------------------------ representations

    def _group_rep(self, group: Json, brief: bool = False) -> Json:
        children = [g for g in self.state.groups.values() if g["parent"] == group["id"]]
        rep = {"id": group["id"], "name": group["name"], "path": group["path"], "subGroupCount": len(children),
               "subGroups": [], "realmRoles": [], "clientRoles": {}}
        if group["parent"]:
            rep["parentId"] = group["parent"]
        if not brief:
            rep["attributes"] = group["attributes"]
        return rep

    @staticmethod
    def _user_rep(user: Json, brief: bool = False) -> Json:
        rep = {k: v for k, v in user.items() if k != "attributes" or not brief}
        rep["access"] = {"manage": True, "view": True}
        return rep

    def _matches(self, user: Json, params: dict[str, str]) -> bool:
        exact = params.get("exact", "false").lower() == "true"
        for name in ("username", "email", "firstName", "lastName"):
            wanted = params.get(name)
            if wanted is None:
                continue
            have = str(user.get(name) or "").lower()
            if (have != wanted.lower()) if exact else (wanted.lower() not in have):
                return False
        if "search" in params:
            needle = params["search"].strip("*").lower()
            if not any(needle in str(user.get(k) or "").lower() for k in ("username", "email", "firstName",
                                                                            "lastName")):
                return False
        for pair in params.get("q", "").split():
            key, _, value = pair.partition(":")
            if value not in (user.get("attributes") or {}).get(key, []):
                return False
        return True

    # ------------------------------------------------------------------ the app

    def _build(self) -> FastAPI:
        app = FastAPI(title="Keycloak Admin REST API stand-in", docs_url=None, redoc_url=None, openapi_url=None)
        fake, st, realm = self, self.state, self.realm
        admin = f"/admin/realms/{realm}"

        class Recorder(BaseHTTPMiddleware):
            async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
                raw = await request.body()
                body: Any = None
                if raw:
                    ctype = request.headers.get("content-type", "")
                    body = dict(parse_qsl(raw.decode())) if "form" in ctype else json.loads(raw)
                with fake._lock:
                    fake.requests.append(Recorded(request.method, unquote(request.url.path),
                                                  dict(request.query_params), body))
                injected = fake._injected(request.method, unquote(request.url.path))
                if injected is not None:
                    return _error(injected, "injected failure")
                if request.url.path.startswith("/admin/"):
                    token = request.headers.get("authorization", "").removeprefix("Bearer ")
                    if st.tokens.get(token, 0) < time.time():
                        return _error(401, "HTTP 401 Unauthorized")
                return await call_next(request)

        app.add_middleware(Recorder)

        @app.post(f"/realms/{realm}/protocol/openid-connect/token")
        async def token(request: Request) -> Response:
            form = dict(parse_qsl((await request.body()).decode()))
            if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
                    "client_credentials", fake.client_id, fake.client_secret):
                return JSONResponse({"error": "unauthorized_client"}, status_code=401)
            access = secrets.token_urlsafe(24)
            st.tokens[access] = time.time() + 300
            return JSONResponse({"access_token": access, "expires_in": 300, "refresh_expires_in": 0,
                                 "token_type": "Bearer", "not-before-policy": 0, "scope": "profile email"})

        @app.get(admin + "/users")
        def users(request: Request) -> Response:
            params = dict(request.query_params)
            brief = params.get("briefRepresentation", "false").lower() == "true"
            found = [u for u in st.users.values() if fake._matches(u, params)]
            first, limit = int(params.get("first", 0)), int(params.get("max", 100))
            return JSONResponse([fake._user_rep(u, brief) for u in found[first:first + limit]])

        @app.post(admin + "/users")
        async def create_user(request: Request) -> Response:
            rep: Json = await request.json()
            username, email = rep["username"].lower(), (rep.get("email") or "").lower() or None
            if fake.user_by_username(username):
                return _error(409, "User exists with same username")
            if email and any(u.get("email") == email for u in st.users.values()):
                return _error(409, "User exists with same email")
            user_id = fake._new_id()
            st.users[user_id] = {"id": user_id, "username": username, "enabled": rep.get("enabled", False),
                                 "emailVerified": rep.get("emailVerified", False), "email": email,
                                 "firstName": rep.get("firstName"), "lastName": rep.get("lastName"),
                                 "attributes": rep.get("attributes") or {}, "totp": False,
                                 "requiredActions": rep.get("requiredActions") or [],
                                 "createdTimestamp": int(time.time() * 1000), "notBefore": 0}
            return Response(status_code=201, headers={"Location": f"{request.base_url}{admin[1:]}/users/{user_id}"})

        def user_or_404(user_id: str) -> Json | JSONResponse:
            return st.users.get(user_id) or _error(404, "User not found")

        @app.get(admin + "/users/{user_id}")
        def get_user(user_id: str) -> Response:
            user = user_or_404(user_id)
            return user if isinstance(user, Response) else JSONResponse(fake._user_rep(user))

        @app.put(admin + "/users/{user_id}")
        async def update_user(user_id: str, request: Request) -> Response:
            user = user_or_404(user_id)
            if isinstance(user, Response):
                return user
            rep: Json = await request.json()
            for key in ("enabled", "emailVerified", "firstName", "lastName", "attributes", "requiredActions"):
                if key in rep:
                    user[key] = rep[key]
            if "email" in rep:
                user["email"] = (rep["email"] or "").lower() or None
            return Response(status_code=204)

        @app.delete(admin + "/users/{user_id}")
        def delete_user(user_id: str) -> Response:
            if st.users.pop(user_id, None) is None:
                return _error(404, "User not found")
            for per_user in (st.memberships, st.role_mappings, st.federated):
                per_user.pop(user_id, None)
            return Response(status_code=204)

        @app.get(admin + "/users/{user_id}/federated-identity")
        def federated(user_id: str) -> Response:
            if user_id not in st.users:
                return _error(404, "User not found")
            return JSONResponse(list(st.federated.get(user_id, {}).values()))

        @app.delete(admin + "/users/{user_id}/federated-identity/{provider}")
        def unlink(user_id: str, provider: str) -> Response:
            if st.federated.get(user_id, {}).pop(provider, None) is None:
                return _error(404, "Link not found")
            return Response(status_code=204)

        @app.get(admin + "/users/{user_id}/groups")
        def user_groups(user_id: str, request: Request) -> Response:
            brief = request.query_params.get("briefRepresentation", "true").lower() == "true"
            ids = sorted(st.memberships.get(user_id, set()))
            return JSONResponse([fake._group_rep(st.groups[g], brief) for g in ids])

        @app.put(admin + "/users/{user_id}/groups/{group_id}")
        def join(user_id: str, group_id: str) -> Response:
            if user_id not in st.users or group_id not in st.groups:
                return _error(404, "Not found")
            st.memberships.setdefault(user_id, set()).add(group_id)
            return Response(status_code=204)

        @app.delete(admin + "/users/{user_id}/groups/{group_id}")
        def leave(user_id: str, group_id: str) -> Response:
            st.memberships.get(user_id, set()).discard(group_id)
            return Response(status_code=204)

        @app.get(admin + "/users/{user_id}/role-mappings/realm")
        def user_roles(user_id: str) -> Response:
            return JSONResponse([st.roles[n] for n in sorted(st.role_mappings.get(user_id, set()))])

        @app.post(admin + "/users/{user_id}/role-mappings/realm")
        async def add_roles(user_id: str, request: Request) -> Response:
            if user_id not in st.users:
                return _error(404, "User not found")
            for role in await request.json():
                if role.get("name") not in st.roles or st.roles[role["name"]]["id"] != role.get("id"):
                    return _error(404, "Role not found")
                st.role_mappings.setdefault(user_id, set()).add(role["name"])
            return Response(status_code=204)

        @app.delete(admin + "/users/{user_id}/role-mappings/realm")
        async def remove_roles(user_id: str, request: Request) -> Response:
            for role in await request.json():
                st.role_mappings.get(user_id, set()).discard(role["name"])
            return Response(status_code=204)

        @app.post(admin + "/users/{user_id}/logout")
        def logout(user_id: str) -> Response:
            st.logouts.append(user_id)
            return Response(status_code=204)

        @app.put(admin + "/users/{user_id}/execute-actions-email")
        async def actions_email(user_id: str, request: Request) -> Response:
            if user_id not in st.users:
                return _error(404, "User not found")
            if not fake.smtp_works:
                return _error(500, "Failed to send execute actions email")
            st.action_emails.append((user_id, await request.json(), dict(request.query_params)))
            return Response(status_code=204)

        @app.get(admin + "/roles/{role_name}")
        def role(role_name: str) -> Response:
            found = st.roles.get(role_name)
            return JSONResponse(found) if found else _error(404, "Could not find role")

        def add_group(request: Request, rep: Json, parent: Json | None) -> Response:
            siblings = [g for g in st.groups.values() if g["parent"] == (parent["id"] if parent else None)]
            if any(g["name"] == rep["name"] for g in siblings):
                return _error(409, f"Top level group named '{rep['name']}' already exists.")
            group_id = fake._new_id()
            path = (parent["path"] if parent else "") + "/" + rep["name"]
            st.groups[group_id] = {"id": group_id, "name": rep["name"], "path": path,
                                   "parent": parent["id"] if parent else None,
                                   "attributes": rep.get("attributes") or {}}
            location = f"{request.base_url}{admin[1:]}/groups/{group_id}"
            return Response(status_code=201, headers={"Location": location})

        @app.get(admin + "/groups")
        def top_groups() -> Response:
            return JSONResponse([fake._group_rep(g) for g in st.groups.values() if g["parent"] is None])

        @app.post(admin + "/groups")
        async def create_top_group(request: Request) -> Response:
            return add_group(request, await request.json(), None)

        @app.post(admin + "/groups/{group_id}/children")
        async def create_child_group(group_id: str, request: Request) -> Response:
            parent = st.groups.get(group_id)
            if parent is None:
                return _error(404, "Could not find parent group")
            return add_group(request, await request.json(), parent)

        @app.get(admin + "/groups/{group_id}")
        def get_group(group_id: str) -> Response:
            group = st.groups.get(group_id)
            return JSONResponse(fake._group_rep(group)) if group else _error(404, "Could not find group by id")

        @app.get(admin + "/groups/{group_id}/children")
        def children(group_id: str) -> Response:
            return JSONResponse([fake._group_rep(g) for g in st.groups.values() if g["parent"] == group_id])

        @app.delete(admin + "/groups/{group_id}")
        def delete_group(group_id: str) -> Response:
            if group_id not in st.groups:
                return _error(404, "Could not find group by id")
            doomed = {group_id}
            while grown := {g for g, rep in st.groups.items() if rep["parent"] in doomed} - doomed:
                doomed |= grown  # Keycloak deletes the subgroups with their group
            for gone in doomed:
                del st.groups[gone]
            for groups in st.memberships.values():
                groups -= doomed
            return Response(status_code=204)

        @app.get(admin + "/groups/{group_id}/members")
        def members(group_id: str) -> Response:
            ids = [u for u, groups in st.memberships.items() if group_id in groups]
            return JSONResponse([fake._user_rep(st.users[u], brief=True) for u in ids])

        @app.get(admin + "/group-by-path/{path:path}")
        def group_by_path(path: str) -> Response:
            wanted = "/" + unquote(path).strip("/")
            group = next((g for g in st.groups.values() if g["path"] == wanted), None)
            return JSONResponse(fake._group_rep(group)) if group else _error(404, "Group path does not exist")

        return app
