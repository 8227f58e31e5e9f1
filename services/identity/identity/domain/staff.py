"""Staff accounts as identity sees them, and the port to the account directory (Keycloak).

Keycloak is the source of truth: identity keeps no copy of staff data. The adapter is
``identity.adapters.keycloak_directory``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from contracts.claims import Role, UnitKind
from identity.domain.units import GroupLevel

# Set on every new account: the person verifies their e-mail, chooses their own password and
# enrols an authenticator. The system never chooses, stores or sends a password.
REQUIRED_ACTIONS = ("VERIFY_EMAIL", "UPDATE_PASSWORD", "CONFIGURE_TOTP")


@dataclass(frozen=True)
class StaffRow:
    """One validated row of an uploaded staff list."""

    row: int
    citizen_id: str
    title: str
    given_name: str
    family_name: str
    position: str
    unit_code: str
    unit_kind: UnitKind
    role: Role
    email: str
    phone: str | None


@dataclass(frozen=True)
class StaffAccount:
    id: str
    username: str
    citizen_id: str | None
    title: str | None
    given_name: str | None
    family_name: str | None
    email: str | None
    phone: str | None
    position: str | None
    unit_code: str | None
    unit_kind: str | None
    role: Role | None
    enabled: bool


@dataclass(frozen=True)
class AccountSnapshot:
    """An account as it was before an import changed it: enough to put it back exactly."""

    user_id: str
    representation: dict[str, Any]  # the directory's own fields (names, e-mail, enabled, attributes, …)
    group_ids: frozenset[str]
    role_names: frozenset[str]  # the staff roles mapped to it (the only roles an import changes)


@dataclass(frozen=True)
class ThaidLink:
    """The ThaiD identity linked to an account: the citizen ID ThaiD vouched for."""

    linked_citizen_id: str


class DirectoryError(RuntimeError):
    """The account directory failed or refused a call; the message is for logs, not users."""


class ThaidLinks(Protocol):
    """Where a staff account's ThaiD link is kept: Keycloak's federated identities (dev stack included)."""

    def holder_citizen_id(self, user_id: str) -> str | None:
        """The citizen ID the account belongs to now (read before a link starts); None: no such account."""
        ...

    def thaid_link(self, user_id: str) -> ThaidLink | None: ...

    def unlink_thaid(self, user_id: str) -> None: ...


class StaffDirectory(Protocol):
    def find_by_citizen_id(self, citizen_id: str) -> StaffAccount | None: ...

    def find_by_email(self, email: str) -> StaffAccount | None: ...

    def get(self, user_id: str) -> StaffAccount | None: ...

    def ensure_unit_group(self, chain: list[GroupLevel], created: list[str] | None = None) -> str:
        """The id of the unit group at the end of ``chain``, creating missing levels (their ids are
        appended to ``created``, parents first)."""
        ...

    def create(self, row: StaffRow, group_id: str) -> str: ...

    def update(self, user_id: str, row: StaffRow, group_id: str) -> None: ...

    def deactivate(self, user_id: str) -> None:
        """Disables the account and ends all its sessions at once."""
        ...

    def list_accounts(self, province_code: str | None, first: int, limit: int) -> list[StaffAccount]: ...

    # Compensation: what an import that fails part-way uses to leave the directory as it found it.

    def snapshot(self, user_id: str) -> AccountSnapshot: ...

    def restore(self, snapshot: AccountSnapshot) -> None: ...

    def delete(self, user_id: str) -> None: ...

    def delete_group_if_unused(self, group_id: str) -> bool:
        """Deletes a group that has no members and no subgroups; False (and no change) otherwise."""
        ...
