"""Forged tokens on every protected route of every service (issue 8): always 401 with the JSON error body
(Thai first), never a 500 or plain text.

The protected routes are the authorization matrix's bearer entries whose anonymous caller gets 401, so a new
route is covered as soon as it has its matrix entry. The services trust an issuer this module runs (its
key is ours), so forgeries about claims can be signed with the trusted key and a genuine token proves the
services would accept a correct one: each refusal is the forgery's doing. Forgeries that need the real
issuer's key id are also sent to the session's real issuer (``test_foreign_algorithms_with_the_real_kid``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from infra.dev.testing import KafkaUnderTest, RunningService, free_port, serve, stop_service
from tests.authz import forgery
from tests.authz.model import Entry
from tests.authz.test_matrix import SERVICES, matrix_module

THAI = re.compile(r"[\u0E00-\u0E7F]")
PATH_VALUES = {"creditor_no": "1"}  # anything else in a path is a made-up id


def protected_routes() -> list[tuple[str, Entry]]:
    found = []
    for service in SERVICES:
        module = matrix_module(service)
        entries: list[Entry] = module.ENTRIES if module is not None else []
        # /dev/: the ThaiD simulator's token endpoint wants its client's credentials, never a bearer token.
        found += [(service, e) for e in entries
                  if e.auth == "bearer" and e.expect["anonymous"] == "401" and not e.path.startswith("/dev/")]
    return found


PROTECTED = protected_routes()


def send(service: RunningService, entry: Entry, token: str) -> httpx.Response:
    path = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "forged-1"), entry.path)
    body: dict[str, Any] = {"json": {}} if entry.method in ("POST", "PUT", "PATCH") else {}
    return httpx.request(entry.method, service.url + path, headers={"Authorization": f"Bearer {token}"},
                         timeout=15, **body)


def assert_refused(answer: httpx.Response, what: str) -> None:
    assert answer.status_code == 401, f"{what}: {answer.status_code} {answer.text[:300]}"
    assert answer.headers["content-type"].startswith("application/json"), f"{what}: {answer.text[:200]}"
    assert answer.headers.get("www-authenticate", "").startswith("Bearer"), what
    detail = answer.json()["detail"]
    assert detail["code"] == "auth.invalid_token" and THAI.search(detail["th"]) and detail["en"], what
    assert answer.json()["errors"] == [], what


@pytest.fixture(scope="module")
def keys() -> forgery.Keys:
    return forgery.Keys.make()


@pytest.fixture
def own_issuer(keys: forgery.Keys) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    running = serve(forgery.issuer_app(keys, lambda: url), port)
    yield url
    stop_service(running)


@pytest.fixture
def trusting_stack(kafka: KafkaUnderTest, mongodb_uri: str, own_issuer: str,
                   tmp_path: Path) -> Iterator[dict[str, RunningService]]:
    """The four services as the tests start them, trusting ``own_issuer`` instead of the session's."""
    import importlib

    started: dict[str, RunningService] = {}
    try:
        for service in SERVICES:
            settings_cls = importlib.import_module(f"{service}.settings").Settings
            extra: dict[str, Any] = {"consumer_group": f"{service}-{uuid.uuid4().hex[:8]}"}
            if service == "identity":
                extra |= {"env": "test", "dev_key_dir": tmp_path / "keys"}
            settings = settings_cls(kafka_bootstrap_servers=kafka.bootstrap, mongodb_uri=mongodb_uri,
                                    mongodb_database=f"forged_{service}_{uuid.uuid4().hex[:8]}",
                                    oidc_issuer_url=own_issuer, **extra)
            started[service] = serve(importlib.import_module(f"{service}.main").create_app(settings))
        yield started
    finally:
        for running in started.values():
            stop_service(running)


def test_every_protected_route_is_listed() -> None:
    """Guards the suite itself: the matrix names protected routes of three services."""
    assert {s for s, _ in PROTECTED} >= {"registration", "identity", "reporting"} and len(PROTECTED) >= 8


def test_forged_tokens_are_refused_on_every_protected_route(
        trusting_stack: dict[str, RunningService], own_issuer: str, keys: forgery.Keys) -> None:
    control = forgery.genuine(keys, own_issuer)
    for service, entry in PROTECTED:
        accepted = send(trusting_stack[service], entry, control)
        # Past the token check (identity's staff routes then find no account directory here: 503).
        assert accepted.status_code != 401, \
            f"the genuine token must pass {service} {entry.method} {entry.path}: {accepted.text[:300]}"
    failures = []
    for name, token in forgery.forgeries(keys, own_issuer).items():
        for service, entry in PROTECTED:
            answer = send(trusting_stack[service], entry, token)
            try:
                assert_refused(answer, f"{name} on {service} {entry.method} {entry.path}")
            except (AssertionError, ValueError, KeyError) as exc:
                failures.append(str(exc) or f"{name} on {service} {entry.method} {entry.path}: {answer.text[:200]}")
    assert not failures, f"{len(failures)} forged tokens not refused properly:\n" + "\n".join(failures)


def _real_kid(issuer_url: str) -> tuple[str, str]:
    jwks_uri = httpx.get(issuer_url + "/.well-known/openid-configuration", timeout=10).json()["jwks_uri"]
    key = next(k for k in httpx.get(jwks_uri, timeout=10).json()["keys"] if k.get("use", "sig") == "sig")
    return key["kid"], key.get("alg", "RS256")


@pytest.mark.parametrize("alg", ["ES256", "ES384", "EdDSA", "HS256", "PS256", "none"])
def test_foreign_algorithms_with_the_real_kid(registration: RunningService, reporting: RunningService,
                                              issuer_url: str, token_for: Callable[[str], str],
                                              keys: forgery.Keys, alg: str) -> None:
    """Found #1: a header naming an algorithm the services do not use, with the real issuer's key id, was a
    500 (plain text from reporting). The payload is a real token's, so only the signature is forged."""
    kid, _ = _real_kid(issuer_url)
    payload = jwt.decode(token_for("dopa_admin"), options={"verify_signature": False})
    signer: Any = {"ES256": keys.foreign_ec["ES256"], "ES384": keys.foreign_ec["ES384"], "EdDSA": keys.foreign_ed,
                   "HS256": keys.public_pem(), "PS256": keys.foreign_rsa, "none": None}[alg]
    token = forgery.sign({"alg": alg, "typ": "JWT", "kid": kid}, payload, signer)
    for service, entry in PROTECTED:
        running = {"registration": registration, "reporting": reporting}.get(service)
        if running is not None:
            assert_refused(send(running, entry, token), f"{alg} on {service} {entry.method} {entry.path}")
