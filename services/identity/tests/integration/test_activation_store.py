"""Activation records and their outbox on the MongoDB stand-in (nx-27017), and the import's all-or-nothing with
welcomes: a token is claimed once even by racing submissions, a released claim can be retried, a resend replaces
the pending event (only the acknowledged one is marked published), and a welcome that cannot be recorded undoes
the import like a directory failure (nobody is left without a welcome, nobody is welcomed to a removed account)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pymongo import MongoClient

from contracts import codec
from identity.activation.rules import Activation, new_token
from identity.activation.store import ActivationStore
from identity.activation.use_cases import Welcomes
from identity.adapters.geothai_units import load_catalogue
from identity.domain.provisioning import ImportFailed, import_staff

from ..conftest import KeycloakUnderTest
from .test_provisioning import PROVINCE_OFFICER_47, row

T0 = 1_790_000_000_000


@pytest.fixture
def store(mongodb_uri: str, db_name: str) -> Iterator[ActivationStore]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    activations = ActivationStore(client[db_name])
    activations.ensure_indexes()
    yield activations
    client.close()


def _event(user_id: str, reason: str = "created") -> dict[str, Any]:
    return codec.new_event("StaffProvisioned", 1, account_id=user_id, unit_code="4701", role="registrar",
                           reason=reason)


def test_a_token_is_claimed_once_even_by_racing_submissions(store: ActivationStore) -> None:
    user = str(uuid.uuid4())
    store.request(Activation(user, "4701", "registrar", T0), _event(user))
    _, token_hash = new_token()
    assert store.set_token(user, token_hash, T0 + 1000)
    with ThreadPoolExecutor(4) as pool:
        claims = list(pool.map(lambda _: store.claim(token_hash, T0 + 10), range(4)))
    assert sum(c is not None for c in claims) == 1
    found = store.by_token(token_hash)
    assert found is not None and found.used_ms == T0 + 10
    assert not store.set_token(user, new_token()[1], T0 + 2000)  # used: no new link


def test_a_released_claim_may_be_retried_until_the_token_expires(store: ActivationStore) -> None:
    user = str(uuid.uuid4())
    store.request(Activation(user, "4701", "registrar", T0), _event(user))
    _, token_hash = new_token()
    store.set_token(user, token_hash, T0 + 1000)
    assert store.claim(token_hash, T0 + 5) is not None
    store.release(user, T0 + 5)
    assert store.claim(token_hash, T0 + 1000) is None  # expired
    assert store.claim(token_hash, T0 + 6) is not None


def test_a_resend_replaces_the_pending_event_and_only_the_acknowledged_one_is_marked(store: ActivationStore) -> None:
    user = str(uuid.uuid4())
    first, second = _event(user), _event(user, "resent")
    store.request(Activation(user, "4701", "registrar", T0), first)
    _, old_hash = new_token()
    store.set_token(user, old_hash, T0 + 1000)
    store.request(Activation(user, "4701", "registrar", T0 + 50), second)
    assert store.by_token(old_hash) is None  # the earlier link no longer works
    assert [e["event_id"] for e in store.pending_events() if e["account_id"] == user] == [second["event_id"]]
    store.mark_published(user, first["event_id"])  # a late acknowledgement of the replaced event
    assert any(e["account_id"] == user for e in store.pending_events())
    store.mark_published(user, second["event_id"])
    assert not any(e["account_id"] == user for e in store.pending_events())


class BrokenStore(ActivationStore):
    def __init__(self, inner: ActivationStore) -> None:
        self.docs = inner.docs

    def request(self, activation: Activation, event: dict[str, Any]) -> None:
        raise RuntimeError("the database went away")


def test_a_welcome_that_cannot_be_recorded_undoes_the_import(
        stand_in: KeycloakUnderTest, store: ActivationStore, new_citizen_id: Callable[[], str]) -> None:
    assert stand_in.fake is not None
    directory = stand_in.directory()
    with pytest.raises(ImportFailed) as failed:
        import_staff([row(2, new_citizen_id())], PROVINCE_OFFICER_47, load_catalogue(), directory,
                     Welcomes(BrokenStore(store)))
    assert failed.value.complete and stand_in.fake.state.users == {}
    welcomes = Welcomes(store)
    result = import_staff([row(2, new_citizen_id())], PROVINCE_OFFICER_47, load_catalogue(), directory, welcomes)
    [(_, user_id)] = result.created
    assert result.welcomed == [2] and store.get(user_id) is not None
    assert [e["reason"] for e in store.pending_events() if e["account_id"] == user_id] == ["created"]
    assert stand_in.fake.state.action_emails == []  # Keycloak is never asked to send its own e-mail
