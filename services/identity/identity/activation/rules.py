"""The activation rules, pure: tokens, their lifetimes, when a link may be issued and used, and passwords.

A token is 32 random bytes (URL-safe base64, 43 characters); only its SHA-256 is stored, so a copy of the
database activates nobody. A fast hash is enough: the token is random, not a password someone chose.
Times are integer epoch milliseconds (what the dev database stand-in compares reliably).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

HOUR_MS = 3600 * 1000
TOKEN_TTL_MS = 72 * HOUR_MS  # a link works for three days after it was sent (as Keycloak's action links did)
REQUEST_TTL_MS = 7 * 24 * HOUR_MS  # notify may fetch links for a request this long (covers its retries)
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
MIN_PASSWORD = 12  # the realm's password policy: length(12) and notUsername and notEmail and passwordHistory(5)
MAX_PASSWORD = 128


def new_token() -> tuple[str, str]:
    """(the token for the link, the hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    return bool(TOKEN_SHAPE.match(token))


@dataclass(frozen=True)
class Activation:
    """One account's activation: requested by provisioning (or an administrator's resend), then linked (a token
    issued, the latest one only being valid), then used once."""

    user_id: str
    unit_code: str
    role: str
    requested_ms: int
    token_hash: str | None = None
    token_expires_ms: int = 0
    used_ms: int = 0  # 0: not used


class Refusal(StrEnum):
    UNKNOWN = "unknown"  # no such token (never issued, mistyped, or superseded by a newer link)
    EXPIRED = "expired"
    USED = "used"


def may_issue_link(activation: Activation | None, now_ms: int) -> bool:
    """Notify may fetch a link only for an open request: one made by provisioning or a resend, not yet used,
    and recent. So notify's service account cannot mint links for arbitrary accounts."""
    return (activation is not None and not activation.used_ms
            and now_ms < activation.requested_ms + REQUEST_TTL_MS)


def refusal(activation: Activation | None, token_hash: str, now_ms: int) -> Refusal | None:
    """Why ``token_hash`` may not activate ``activation`` (the record found by that hash), or None if it may."""
    if activation is None or activation.token_hash != token_hash:
        return Refusal.UNKNOWN
    if activation.used_ms:
        return Refusal.USED
    if now_ms >= activation.token_expires_ms:
        return Refusal.EXPIRED
    return None


@dataclass(frozen=True)
class PasswordProblem:
    th: str
    en: str


def password_problems(password: str, confirmation: str, *, username: str, email: str | None
                      ) -> list[PasswordProblem]:
    """The realm's own policy checked first, in Thai, so that Keycloak's refusal is the exception."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(PasswordProblem(f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD} ตัวอักษร",
                                        f"The password must be at least {MIN_PASSWORD} characters long"))
    if len(password) > MAX_PASSWORD:
        problems.append(PasswordProblem(f"รหัสผ่านยาวได้ไม่เกิน {MAX_PASSWORD} ตัวอักษร",
                                        f"The password may be at most {MAX_PASSWORD} characters long"))
    lowered = password.lower()
    if username and lowered == username.lower():
        problems.append(PasswordProblem("รหัสผ่านต้องไม่ใช่ชื่อผู้ใช้ (เลขประจำตัวประชาชน)",
                                        "The password must not be your username (citizen ID)"))
    if email and lowered == email.lower():
        problems.append(PasswordProblem("รหัสผ่านต้องไม่ใช่อีเมลของท่าน", "The password must not be your e-mail"))
    if password != confirmation:
        problems.append(PasswordProblem("รหัสผ่านทั้งสองช่องไม่ตรงกัน", "The two passwords do not match"))
    return problems
