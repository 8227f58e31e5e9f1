"""Activation use cases: announce new accounts (provisioning's ``Welcomes`` port), issue a link for notify,
resend as an administrator, and activate with a token. Plain functions over the store and Keycloak."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from contracts import codec
from contracts.access import may_manage_staff
from contracts.claims import Claims
from identity.activation.keycloak import AccountForActivation, KeycloakActivation, PasswordRefused
from identity.activation.rules import (
    TOKEN_TTL_MS,
    Activation,
    PasswordProblem,
    Refusal,
    hash_token,
    may_issue_link,
    new_token,
    password_problems,
    refusal,
    well_formed,
)
from identity.activation.store import ActivationStore
from identity.domain.provisioning import NewAccount, NotAllowed, NotFound
from identity.domain.staff import StaffDirectory

log = logging.getLogger(__name__)
Clock = Callable[[], int]


def now_ms() -> int:
    return int(time.time() * 1000)


class Welcomes:
    """Provisioning's port: every new account gets an activation request and a ``StaffProvisioned`` event,
    written together (one document) before the import answers; the relay publishes the event."""

    def __init__(self, store: ActivationStore, *, clock: Clock = now_ms, wake: Callable[[], None] = lambda: None
                 ) -> None:
        self.store, self.clock, self.wake = store, clock, wake

    def announce(self, accounts: Sequence[NewAccount], reason: str = "created") -> None:
        for account in accounts:
            activation = Activation(account.user_id, account.unit_code, account.role.value, self.clock())
            event = codec.new_event("StaffProvisioned", 1, account_id=account.user_id, unit_code=account.unit_code,
                                    role=account.role.value, reason=reason)
            self.store.request(activation, event)
        if accounts:
            self.wake()

    def withdraw(self, user_ids: Sequence[str]) -> None:
        for user_id in user_ids:
            self.store.forget(user_id)


@dataclass(frozen=True)
class Link:
    url: str
    expires_ms: int


def issue_link(store: ActivationStore, user_id: str, public_url: str, *, clock: Clock = now_ms) -> Link | None:
    """A fresh link for an open request (the earlier link stops working), or None when there is none."""
    now = clock()
    if not may_issue_link(store.get(user_id), now):
        return None
    token, token_hash = new_token()
    expires = now + TOKEN_TTL_MS
    if not store.set_token(user_id, token_hash, expires):
        return None  # used meanwhile
    return Link(f"{public_url.rstrip('/')}/activate/{token}", expires)


def resend(store: ActivationStore, welcomes: Welcomes, directory: StaffDirectory, admin: Claims,
           user_id: str) -> None:
    """An administrator asks for a new welcome (lost e-mail, expired link): a new request and event, so the
    welcome goes through notify like the first one. Only for an account one may manage, and not yet activated."""
    account = directory.get(user_id)
    if account is None or account.role is None or account.unit_code is None or not account.enabled:
        raise NotFound(user_id)
    if not may_manage_staff(admin, account.unit_code, account.role):
        raise NotAllowed(user_id)
    activation = store.get(user_id)
    if activation is not None and activation.used_ms:
        raise AlreadyActive(user_id)
    welcomes.announce([NewAccount(user_id, account.unit_code, account.role)], reason="resent")


class AlreadyActive(Exception):
    pass


@dataclass(frozen=True)
class Outcome:
    """What the activation page shows: done, a refused token, or problems with the password."""

    done: bool = False
    refusal: Refusal | None = None
    problems: tuple[PasswordProblem, ...] = ()
    user_id: str | None = None


def check_token(store: ActivationStore, keycloak: KeycloakActivation, token: str, *, clock: Clock = now_ms
                ) -> tuple[Activation, AccountForActivation] | Refusal:
    if not well_formed(token):
        return Refusal.UNKNOWN
    token_hash = hash_token(token)
    activation = store.by_token(token_hash)
    problem = refusal(activation, token_hash, clock())
    if problem is not None:
        return problem
    assert activation is not None
    account = keycloak.account(activation.user_id)
    if account is None or not account.enabled:
        return Refusal.UNKNOWN  # deleted or deactivated since: the link activates nothing
    return activation, account


def activate(store: ActivationStore, keycloak: KeycloakActivation, token: str, password: str, confirmation: str,
             *, clock: Clock = now_ms) -> Outcome:
    checked = check_token(store, keycloak, token, clock=clock)
    if isinstance(checked, Refusal):
        return Outcome(refusal=checked)
    _, account = checked
    problems = password_problems(password, confirmation, username=account.username, email=account.email)
    if problems:
        return Outcome(problems=tuple(problems), user_id=account.user_id)
    claimed_at = clock()
    claimed = store.claim(hash_token(token), claimed_at)
    if claimed is None:  # another submission won the race, or it expired just now
        return Outcome(refusal=refusal(store.by_token(hash_token(token)), hash_token(token), clock()) or Refusal.USED)
    try:
        keycloak.set_password(account.user_id, password)
    except PasswordRefused as refused:
        store.release(account.user_id, claimed_at)
        return Outcome(problems=(PasswordProblem(refused.th, refused.en),), user_id=account.user_id)
    except Exception:
        store.release(account.user_id, claimed_at)  # Keycloak down: the link still works later
        raise
    try:
        keycloak.clear_fulfilled_actions(account.user_id)
    except Exception:  # noqa: BLE001 - the password is set; at worst Keycloak asks for it again at sign-in
        log.warning("account %s activated, but its fulfilled required actions were not cleared", account.user_id)
    return Outcome(done=True, user_id=account.user_id)
