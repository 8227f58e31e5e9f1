"""The activation token rules (pure) and the activation use case over an in-memory store and a fake Keycloak:
tokens are random, stored hashed, single-use, expire, and only the latest link works; a link is issued only for an
open request; passwords follow the realm's policy in Thai; Keycloak refusing a password leaves the link usable."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

import pytest

from identity.activation.keycloak import AccountForActivation, PasswordRefused
from identity.activation.rules import (
    REQUEST_TTL_MS,
    TOKEN_TTL_MS,
    Activation,
    Refusal,
    hash_token,
    may_issue_link,
    new_token,
    password_problems,
    refusal,
    well_formed,
)
from identity.activation.use_cases import activate, check_token, issue_link

T0 = 1_790_000_000_000
GOOD = "ตั้งรหัสผ่านเอง-2569"


def test_tokens_are_random_well_formed_and_only_their_hash_is_kept() -> None:
    (token, stored), (other, _) = new_token(), new_token()
    assert token != other and well_formed(token) and len(token) == 43
    assert stored == hashlib.sha256(token.encode()).hexdigest() == hash_token(token) and token not in stored
    assert not well_formed(token[:-1]) and not well_formed(token + "=") and not well_formed("../" + token[3:])


def test_a_link_is_issued_only_for_an_open_recent_request() -> None:
    open_request = Activation("u1", "4701", "registrar", requested_ms=T0)
    assert may_issue_link(open_request, T0 + 1)
    assert may_issue_link(open_request, T0 + REQUEST_TTL_MS - 1)
    assert not may_issue_link(open_request, T0 + REQUEST_TTL_MS)
    assert not may_issue_link(replace(open_request, used_ms=T0 + 5), T0 + 10)
    assert not may_issue_link(None, T0)


def test_a_token_is_refused_when_unknown_superseded_used_or_expired() -> None:
    _, token_hash = new_token()
    linked = Activation("u1", "4701", "registrar", T0, token_hash=token_hash, token_expires_ms=T0 + TOKEN_TTL_MS)
    assert refusal(linked, token_hash, T0 + 1) is None
    assert refusal(linked, token_hash, T0 + TOKEN_TTL_MS) is Refusal.EXPIRED
    assert refusal(replace(linked, used_ms=T0 + 2), token_hash, T0 + 3) is Refusal.USED
    assert refusal(None, token_hash, T0) is Refusal.UNKNOWN
    _, newer = new_token()
    assert refusal(replace(linked, token_hash=newer), token_hash, T0 + 1) is Refusal.UNKNOWN  # superseded


def test_password_rules_are_the_realm_policy_in_thai() -> None:
    assert password_problems(GOOD, GOOD, username="1101700230708", email="a@b.go.th") == []
    short = password_problems("สั้นไป", "สั้นไป", username="x", email=None)
    assert [p.en for p in short] == ["The password must be at least 12 characters long"]
    assert "12" in short[0].th
    same_as_user = password_problems("1101700230708", "1101700230708", username="1101700230708", email=None)
    assert any("username" in p.en for p in same_as_user)
    assert any("match" in p.en for p in password_problems(GOOD, GOOD + "x", username="u", email=None))
    assert any("e-mail" in p.en for p in password_problems("Somchai@Dopa.go.th", "Somchai@Dopa.go.th", username="u",
                                                          email="somchai@dopa.go.th"))


class MemoryStore:
    """ActivationStore's contract in memory."""

    def __init__(self) -> None:
        self.docs: dict[str, Activation] = {}

    def get(self, user_id: str) -> Activation | None:
        return self.docs.get(user_id)

    def by_token(self, token_hash: str) -> Activation | None:
        return next((a for a in self.docs.values() if a.token_hash == token_hash), None)

    def set_token(self, user_id: str, token_hash: str, expires_ms: int) -> bool:
        current = self.docs.get(user_id)
        if current is None or current.used_ms:
            return False
        self.docs[user_id] = replace(current, token_hash=token_hash, token_expires_ms=expires_ms)
        return True

    def claim(self, token_hash: str, now_ms: int) -> Activation | None:
        found = self.by_token(token_hash)
        if found is None or found.used_ms or found.token_expires_ms <= now_ms:
            return None
        self.docs[found.user_id] = replace(found, used_ms=now_ms)
        return found

    def release(self, user_id: str, used_ms: int) -> None:
        if self.docs[user_id].used_ms == used_ms:
            self.docs[user_id] = replace(self.docs[user_id], used_ms=0)


class FakeKeycloak:
    def __init__(self, refuse: Exception | None = None) -> None:
        self.passwords: dict[str, str] = {}
        self.cleared: list[str] = []
        self.refuse = refuse
        self.enabled = True

    def account(self, user_id: str) -> AccountForActivation:
        return AccountForActivation(user_id, "1101700230708", "somsri@dopa.go.th", self.enabled)

    def set_password(self, user_id: str, password: str) -> None:
        if self.refuse is not None:
            raise self.refuse
        self.passwords[user_id] = password

    def clear_fulfilled_actions(self, user_id: str) -> None:
        self.cleared.append(user_id)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


def _linked(store: MemoryStore, clock: Clock) -> str:
    store.docs["u1"] = Activation("u1", "4701", "registrar", clock())
    link = issue_link(store, "u1", "https://identity.example.go.th", clock=clock)  # type: ignore[arg-type]
    assert link is not None and link.url.startswith("https://identity.example.go.th/activate/")
    assert link.expires_ms == clock() + TOKEN_TTL_MS
    return link.url.rsplit("/", 1)[1]


def _activate(store: MemoryStore, kc: FakeKeycloak, token: str, clock: Clock, password: str = GOOD) -> Any:
    return activate(store, kc, token, password, password, clock=clock)  # type: ignore[arg-type]


def test_a_token_activates_once_and_then_reads_as_used() -> None:
    store, kc, clock = MemoryStore(), FakeKeycloak(), Clock()
    token = _linked(store, clock)
    assert store.docs["u1"].token_hash == hash_token(token)  # the plain token is nowhere in the store
    clock.now += 1000
    done = _activate(store, kc, token, clock)
    assert done.done and kc.passwords == {"u1": GOOD} and kc.cleared == ["u1"]
    again = _activate(store, kc, token, clock, password="อีกรหัสหนึ่งที่ยาวพอ")
    assert not again.done and again.refusal is Refusal.USED and kc.passwords == {"u1": GOOD}
    assert issue_link(store, "u1", "https://i", clock=clock) is None  # type: ignore[arg-type]


def test_an_expired_or_superseded_link_activates_nothing() -> None:
    store, kc, clock = MemoryStore(), FakeKeycloak(), Clock()
    first = _linked(store, clock)
    second = issue_link(store, "u1", "https://i", clock=clock)  # type: ignore[arg-type]
    assert second is not None
    assert _activate(store, kc, first, clock).refusal is Refusal.UNKNOWN  # only the latest e-mail's link works
    clock.now += TOKEN_TTL_MS
    assert _activate(store, kc, second.url.rsplit("/", 1)[1], clock).refusal is Refusal.EXPIRED
    assert kc.passwords == {}


def test_bad_passwords_and_keycloak_refusals_leave_the_link_usable() -> None:
    store, clock = MemoryStore(), Clock()
    token = _linked(store, clock)
    kc = FakeKeycloak(refuse=PasswordRefused("รหัสผ่านนี้เคยใช้แล้ว", "used before"))
    weak = _activate(store, kc, token, clock, password="short")
    assert not weak.done and weak.problems and weak.refusal is None
    refused = _activate(store, kc, token, clock)
    assert not refused.done and [p.th for p in refused.problems] == ["รหัสผ่านนี้เคยใช้แล้ว"]
    assert store.docs["u1"].used_ms == 0  # released: the person tries another password with the same link
    kc.refuse = None
    assert _activate(store, kc, token, clock).done


def test_keycloak_down_releases_the_claim_and_raises() -> None:
    store, clock = MemoryStore(), Clock()
    token = _linked(store, clock)
    with pytest.raises(RuntimeError):
        _activate(store, FakeKeycloak(refuse=RuntimeError("keycloak down")), token, clock)
    assert store.docs["u1"].used_ms == 0


def test_a_deactivated_account_or_a_malformed_token_is_refused() -> None:
    store, kc, clock = MemoryStore(), FakeKeycloak(), Clock()
    token = _linked(store, clock)
    kc.enabled = False
    assert check_token(store, kc, token, clock=clock) is Refusal.UNKNOWN  # type: ignore[arg-type]
    assert check_token(store, kc, "not-a-token", clock=clock) is Refusal.UNKNOWN  # type: ignore[arg-type]
