"""StaffDirectory on Keycloak's Admin REST API through python-keycloak's KeycloakAdmin, signed in
as the ``debt-identity`` service account (client credentials).

Accounts: username = citizen ID; attributes ``citizen_id``, ``unit_code``, ``unit_kind``,
``province_code``, ``staff_role`` (informational: authorization uses realm roles), ``title``,
``position``, ``phone``, ``account_type=staff`` — declared admin-only in the realm's user profile.
Updates read the account first and send it back whole, so no attribute is lost by a partial PUT.
A ThaiD link is Keycloak's federated identity ``thaid`` of the account. With the realm as it is, that record
names ThaiD's opaque ``sub`` (the broker username), not the citizen ID; the citizen ID ThaiD proved is the
account's username after the link, which the realm's "pid as username" mapper rewrites from ThaiD's ``pid``
at every ThaiD sign-in and link (sync mode FORCE). A federated ``userName`` that is itself a citizen ID (a
realm whose mapper targets the broker username) is taken first.
"""

from __future__ import annotations

import threading
from typing import Any

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakError, KeycloakGetError

from contracts.access import STAFF_ROLES
from contracts.citizen_id import is_valid
from contracts.claims import Role
from identity.domain.staff import (
    REQUIRED_ACTIONS,
    AccountSnapshot,
    DirectoryError,
    StaffAccount,
    StaffRow,
    ThaidLink,
)
from identity.domain.units import GroupLevel, province_of

KEPT_FIELDS = ("username", "enabled", "email", "emailVerified", "firstName", "lastName", "attributes",
               "requiredActions")
MANAGED_ROLES = frozenset(r.value for r in (*STAFF_ROLES, Role.AUDITOR))
THAID = "thaid"  # the identity provider's alias in the realm


def _first(attributes: dict[str, list[str]], name: str) -> str | None:
    values = attributes.get(name) or []
    return values[0] if values else None


def _role_or_none(value: str | None) -> Role | None:
    try:
        return Role(value) if value else None
    except ValueError:  # an attribute someone edited by hand: informational only, never trusted
        return None


def _status(exc: KeycloakError) -> int | None:
    code = getattr(exc, "response_code", None)
    return code if isinstance(code, int) else None


def _attributes(row: StaffRow) -> dict[str, list[str]]:
    attributes = {
        "citizen_id": [row.citizen_id], "unit_code": [row.unit_code], "unit_kind": [row.unit_kind.value],
        "province_code": [province_of(row.unit_code)], "staff_role": [row.role.value], "account_type": ["staff"],
        "title": [row.title], "position": [row.position], "phone": [row.phone or ""],
    }
    return {k: v for k, v in attributes.items() if v != [""]}


class KeycloakStaffDirectory:
    def __init__(self, admin: KeycloakAdmin, staff_client_id: str = "debt-staff") -> None:
        self.admin = admin
        self.staff_client_id = staff_client_id
        self._groups: dict[str, str] = {}
        self._roles: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    @classmethod
    def connect(cls, server_url: str, realm: str, client_id: str, client_secret: str) -> KeycloakStaffDirectory:
        admin = KeycloakAdmin(server_url=server_url.rstrip("/") + "/", realm_name=realm, client_id=client_id,
                              client_secret_key=client_secret, verify=True, timeout=10)
        return cls(admin)

    # ------------------------------------------------------------------ reading

    def _account(self, user: dict[str, Any], role: Role | None) -> StaffAccount:
        attributes = user.get("attributes") or {}
        return StaffAccount(
            id=user["id"], username=user.get("username", ""), citizen_id=_first(attributes, "citizen_id"),
            title=_first(attributes, "title"), given_name=user.get("firstName"), family_name=user.get("lastName"),
            email=user.get("email"), phone=_first(attributes, "phone"), position=_first(attributes, "position"),
            unit_code=_first(attributes, "unit_code"), unit_kind=_first(attributes, "unit_kind"),
            role=role, enabled=bool(user.get("enabled", False)),
        )

    def _mapped_role(self, user_id: str) -> Role | None:
        """The account's staff role from its realm-role mappings (authoritative, unlike attributes)."""
        names = {r["name"] for r in self.admin.get_realm_roles_of_user(user_id)} & MANAGED_ROLES
        for role in (Role.AUDITOR, Role.DOPA_ADMIN, Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.REGISTRAR):
            if role.value in names:
                return role
        return None

    def _search_one(self, query: dict[str, Any]) -> StaffAccount | None:
        try:
            users = self.admin.get_users({**query, "first": 0, "max": 2, "briefRepresentation": "false"})
            if not users:
                return None
            return self._account(users[0], self._mapped_role(users[0]["id"]))
        except KeycloakError as exc:
            raise DirectoryError(f"user search failed: {exc}") from exc

    def find_by_citizen_id(self, citizen_id: str) -> StaffAccount | None:
        return self._search_one({"q": f"citizen_id:{citizen_id}"})

    def find_by_email(self, email: str) -> StaffAccount | None:
        return self._search_one({"email": email, "exact": "true"})

    def get(self, user_id: str) -> StaffAccount | None:
        try:
            user = self.admin.get_user(user_id)
            return self._account(user, self._mapped_role(user_id))
        except KeycloakError as exc:
            if _status(exc) == 404:
                return None
            raise DirectoryError(f"get user failed: {exc}") from exc

    def list_accounts(self, province_code: str | None, first: int, limit: int) -> list[StaffAccount]:
        q = "account_type:staff" + (f" province_code:{province_code}" if province_code else "")
        try:
            users = self.admin.get_users({"q": q, "first": first, "max": limit, "briefRepresentation": "false"})
        except KeycloakError as exc:
            raise DirectoryError(f"user listing failed: {exc}") from exc
        return [self._account(u, _role_or_none(_first(u.get("attributes") or {}, "staff_role"))) for u in users]

    # ------------------------------------------------------------------ writing

    def ensure_unit_group(self, chain: list[GroupLevel], created: list[str] | None = None) -> str:
        parent: str | None = None
        path = ""
        try:
            for name, attributes in chain:
                path += "/" + name
                with self._lock:
                    known = self._groups.get(path)
                if known is None:
                    known, new = self._find_or_create_group(path, name, attributes, parent)
                    if new and created is not None:
                        created.append(known)
                    with self._lock:
                        self._groups[path] = known
                parent = known
        except KeycloakError as exc:
            raise DirectoryError(f"unit group {path} failed: {exc}") from exc
        assert parent is not None
        return parent

    def _find_or_create_group(self, path: str, name: str, attributes: dict[str, list[str]],
                              parent: str | None) -> tuple[str, bool]:
        try:
            return str(self.admin.get_group_by_path(path)["id"]), False
        except KeycloakGetError as exc:
            if exc.response_code != 404:
                raise
        created = self.admin.create_group({"name": name, "attributes": attributes}, parent=parent)
        if created is None:
            raise DirectoryError(f"group {path} was not created")
        return str(created), True

    def _role(self, role: Role) -> dict[str, Any]:
        if role.value not in self._roles:
            found = self.admin.get_realm_role(role.value)
            self._roles[role.value] = {"id": found["id"], "name": found["name"]}
        return self._roles[role.value]

    def create(self, row: StaffRow, group_id: str) -> str:
        user = {
            "username": row.citizen_id, "enabled": True, "email": row.email, "emailVerified": False,
            "firstName": row.given_name, "lastName": row.family_name, "attributes": _attributes(row),
            "requiredActions": list(REQUIRED_ACTIONS),
        }
        try:
            user_id = str(self.admin.create_user(user))
            self.admin.group_user_add(user_id, group_id)
            self.admin.assign_realm_roles(user_id, [self._role(row.role)])
        except KeycloakError as exc:
            raise DirectoryError(f"create user failed: {exc}") from exc
        return user_id

    def update(self, user_id: str, row: StaffRow, group_id: str) -> None:
        try:
            current = self.admin.get_user(user_id)
            user = {k: current[k] for k in KEPT_FIELDS if k in current}
            actions = list(user.get("requiredActions") or [])
            if (current.get("email") or "").lower() != row.email:
                user["emailVerified"] = False
                actions += [] if "VERIFY_EMAIL" in actions else ["VERIFY_EMAIL"]
            user.update({"enabled": True, "email": row.email, "firstName": row.given_name,
                         "lastName": row.family_name, "requiredActions": actions,
                         "attributes": {**(current.get("attributes") or {}), **_attributes(row)}})
            self.admin.update_user(user_id, user)
            self._move_to_group(user_id, group_id)
            self._set_role(user_id, row.role)
        except KeycloakError as exc:
            raise DirectoryError(f"update user failed: {exc}") from exc

    def _move_to_group(self, user_id: str, group_id: str) -> None:
        groups = self.admin.get_user_groups(user_id, brief_representation=False)
        for group in groups:
            if group["id"] != group_id and (group.get("attributes") or {}).get("unit_code"):
                self.admin.group_user_remove(user_id, group["id"])
        if all(g["id"] != group_id for g in groups):
            self.admin.group_user_add(user_id, group_id)

    def _set_role(self, user_id: str, role: Role) -> None:
        mapped = self.admin.get_realm_roles_of_user(user_id)
        stale = [{"id": r["id"], "name": r["name"]} for r in mapped
                 if r["name"] in MANAGED_ROLES and r["name"] != role.value]
        if stale:
            self.admin.delete_realm_roles_of_user(user_id, stale)
        if all(r["name"] != role.value for r in mapped):
            self.admin.assign_realm_roles(user_id, [self._role(role)])

    def deactivate(self, user_id: str) -> None:
        try:
            current = self.admin.get_user(user_id)
            user = {k: current[k] for k in KEPT_FIELDS if k in current}
            self.admin.update_user(user_id, {**user, "enabled": False})
            self.admin.user_logout(user_id)
        except KeycloakError as exc:
            raise DirectoryError(f"deactivate failed: {exc}") from exc

    # ------------------------------------------------------------------ compensation (failed imports)

    def snapshot(self, user_id: str) -> AccountSnapshot:
        try:
            user = self.admin.get_user(user_id)
            groups = self.admin.get_user_groups(user_id)
            roles = self.admin.get_realm_roles_of_user(user_id)
        except KeycloakError as exc:
            raise DirectoryError(f"snapshot of {user_id} failed: {exc}") from exc
        return AccountSnapshot(user_id=user_id, representation={k: user[k] for k in KEPT_FIELDS if k in user},
                               group_ids=frozenset(g["id"] for g in groups),
                               role_names=frozenset(r["name"] for r in roles if r["name"] in MANAGED_ROLES))

    def restore(self, snapshot: AccountSnapshot) -> None:
        user_id = snapshot.user_id
        try:
            self.admin.update_user(user_id, snapshot.representation)
            groups = {g["id"] for g in self.admin.get_user_groups(user_id)}
            for group_id in sorted(groups - snapshot.group_ids):
                self.admin.group_user_remove(user_id, group_id)
            for group_id in sorted(snapshot.group_ids - groups):
                self.admin.group_user_add(user_id, group_id)
            mapped = {r["name"]: r for r in self.admin.get_realm_roles_of_user(user_id) if r["name"] in MANAGED_ROLES}
            extra = [{"id": r["id"], "name": n} for n, r in sorted(mapped.items()) if n not in snapshot.role_names]
            if extra:
                self.admin.delete_realm_roles_of_user(user_id, extra)
            missing = [self._role(Role(n)) for n in sorted(snapshot.role_names - set(mapped))]
            if missing:
                self.admin.assign_realm_roles(user_id, missing)
        except KeycloakError as exc:
            raise DirectoryError(f"restoring {user_id} failed: {exc}") from exc

    def delete(self, user_id: str) -> None:
        try:
            self.admin.delete_user(user_id)
        except KeycloakError as exc:
            if _status(exc) != 404:  # already gone is what was wanted
                raise DirectoryError(f"delete user failed: {exc}") from exc

    def delete_group_if_unused(self, group_id: str) -> bool:
        try:
            group = self.admin.get_group(group_id)
            if group.get("subGroupCount") or group.get("subGroups"):
                return False
            if self.admin.get_group_members(group_id, {"first": 0, "max": 1}):
                return False
            self.admin.delete_group(group_id)
        except KeycloakError as exc:
            raise DirectoryError(f"delete group {group_id} failed: {exc}") from exc
        with self._lock:
            self._groups = {path: known for path, known in self._groups.items() if known != group_id}
        return True

    # ------------------------------------------------------------------ ThaiD links (ThaidLinks)

    def holder_citizen_id(self, user_id: str) -> str | None:
        account = self.get(user_id)
        return account.username if account is not None and is_valid(account.username) else None

    def thaid_link(self, user_id: str) -> ThaidLink | None:
        try:
            identities = self.admin.get_user_social_logins(user_id)
            link = next((i for i in identities if i.get("identityProvider") == THAID), None)
            if link is None:
                return None
        except KeycloakError as exc:
            if _status(exc) == 404:
                return None
            raise DirectoryError(f"the ThaiD link of {user_id} could not be read: {exc}") from exc
        # The realm's "pid as link name" mapper names the link by the citizen ID ThaiD proved.
        named = str(link.get("userName") or "")
        return ThaidLink(linked_citizen_id=named if is_valid(named) else "")

    def unlink_thaid(self, user_id: str) -> None:
        try:
            self.admin.delete_user_social_login(user_id, THAID)
        except KeycloakError as exc:
            if _status(exc) != 404:
                raise DirectoryError(f"removing the ThaiD link of {user_id} failed: {exc}") from exc
