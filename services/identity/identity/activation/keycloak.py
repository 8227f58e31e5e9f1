"""The account side of activation, on Keycloak's Admin REST API (python-keycloak, identity's service account):
read what the welcome and the password rules need, and set the person's own password.

Setting the password also ends the required actions it fulfils: the person chose a password (UPDATE_PASSWORD)
through a link only their mailbox received (VERIFY_EMAIL, e-mail verified). Enrolling a one-time-password app
(CONFIGURE_TOTP) stays: Keycloak asks for it at the first sign-in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakError

from identity.adapters.keycloak_directory import KEPT_FIELDS
from identity.domain.staff import DirectoryError

FULFILLED = ("UPDATE_PASSWORD", "VERIFY_EMAIL")


@dataclass(frozen=True)
class AccountForActivation:
    user_id: str
    username: str
    email: str | None
    enabled: bool


class PasswordRefused(Exception):
    """Keycloak's password policy refused the password (e.g. one of the last five)."""

    def __init__(self, th: str, en: str) -> None:
        super().__init__(en)
        self.th, self.en = th, en


def _refusal(exc: KeycloakError) -> PasswordRefused | None:
    if getattr(exc, "response_code", None) != 400:
        return None
    try:
        body = json.loads(getattr(exc, "response_body", b"") or b"{}")
    except ValueError:
        body = {}
    if "passwordHistory" in str(body.get("error", "")) or "History" in str(body.get("error_description", "")):
        return PasswordRefused("รหัสผ่านนี้เคยใช้แล้ว กรุณาตั้งรหัสผ่านใหม่ที่ไม่ซ้ำกับที่เคยใช้",
                               "This password was used before; choose one you have not used")
    return PasswordRefused("รหัสผ่านไม่เป็นไปตามนโยบายรหัสผ่านของระบบ กรุณาตั้งรหัสผ่านอื่น",
                           "The password does not meet the password policy; choose another")


class KeycloakActivation:
    def __init__(self, admin: KeycloakAdmin) -> None:
        self.admin = admin

    def account(self, user_id: str) -> AccountForActivation | None:
        try:
            user = self.admin.get_user(user_id)
        except KeycloakError as exc:
            if getattr(exc, "response_code", None) == 404:
                return None
            raise DirectoryError(f"get user failed: {exc}") from exc
        return AccountForActivation(user_id=user["id"], username=user.get("username", ""), email=user.get("email"),
                                    enabled=bool(user.get("enabled", False)))

    def set_password(self, user_id: str, password: str) -> None:
        try:
            self.admin.set_user_password(user_id, password, temporary=False)
        except KeycloakError as exc:
            refused = _refusal(exc)
            if refused is not None:
                raise refused from None
            raise DirectoryError(f"setting the password failed: {exc}") from exc

    def clear_fulfilled_actions(self, user_id: str) -> None:
        try:
            current = self.admin.get_user(user_id)
            user = {k: current[k] for k in KEPT_FIELDS if k in current}
            actions = [a for a in current.get("requiredActions") or [] if a not in FULFILLED]
            self.admin.update_user(user_id, {**user, "emailVerified": True, "requiredActions": actions})
        except KeycloakError as exc:
            # The password is set; the person is asked to choose one again at sign-in at worst.
            raise DirectoryError(f"clearing the fulfilled required actions failed: {exc}") from exc
