"""The ThaiD simulator's authorization rules: only its own client, and PKCE optional for that confidential
client (Keycloak's broker sends none) but checked whenever a challenge is sent."""

from __future__ import annotations

import pytest

from identity.domain.authorization import AuthorizationError, check_exchange, parse_authorization_request, s256

HOSTS = ("127.0.0.1",)
CLIENTS = {"thaid-dev"}
VERIFIER = "v" * 50


def params(**changes: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": "thaid-dev", "redirect_uri": "http://127.0.0.1:8080/cb",
            "state": "s", **changes}


def test_only_the_named_clients_and_pkce_unless_told_otherwise() -> None:
    with pytest.raises(AuthorizationError, match="client_id"):
        parse_authorization_request(params(client_id="debt-public"), HOSTS, clients=CLIENTS, pkce_required=False)
    with pytest.raises(AuthorizationError, match="PKCE"):
        parse_authorization_request(params(), HOSTS, clients=CLIENTS)  # PKCE is required by default


def test_optional_pkce_is_checked_when_sent() -> None:
    granted = parse_authorization_request(params(), HOSTS, clients=CLIENTS, pkce_required=False)
    assert granted.code_challenge == ""
    check_exchange(granted, client_id="thaid-dev", redirect_uri=granted.redirect_uri, code_verifier="")
    with pytest.raises(AuthorizationError, match="PKCE"):
        parse_authorization_request(params(code_challenge_method="plain", code_challenge=VERIFIER), HOSTS,
                                    clients=CLIENTS, pkce_required=False)
    with_pkce = parse_authorization_request(params(code_challenge=s256(VERIFIER), code_challenge_method="S256"),
                                            HOSTS, clients=CLIENTS, pkce_required=False)
    with pytest.raises(AuthorizationError):
        check_exchange(with_pkce, client_id="thaid-dev", redirect_uri=with_pkce.redirect_uri, code_verifier="")
    check_exchange(with_pkce, client_id="thaid-dev", redirect_uri=with_pkce.redirect_uri, code_verifier=VERIFIER)
