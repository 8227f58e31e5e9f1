"""The dev realm: ``infra/keycloak/realm-debt.json`` with dev URLs, dev secrets and ThaiD → the simulator.

Everything else (clients, roles, groups, mappers, flows, user profile) is the production file as it
is, so the real import on the dev stack proves it. A test overlay may add a test-only client; it is
never in the production file.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REALM_FILE = Path(__file__).resolve().parents[1] / "keycloak" / "realm-debt.json"
THAID_SIM_PATH = "/dev/thaid"
THAID_DEV_CLIENT_ID = "thaid-dev"
# The confidential clients whose secrets the dev stack chooses (production: from the secret store).
PAGE_CLIENTS = {"debt-public": "DEBT_PUBLIC_CLIENT_SECRET", "debt-staff": "DEBT_STAFF_CLIENT_SECRET"}
SERVICE_CLIENTS = ("debt-identity", "debt-registration", "debt-reporting", "debt-notify")
# Test-only password-grant clients, one with each page client's mappers, so test tokens have its claim shape.
TEST_CLIENTS = {"debt-public": "debt-tests", "debt-staff": "debt-tests-staff"}
TEST_ADMIN_CLIENT_ID = "debt-tests-admin"


@dataclass
class DevSecrets:
    """Random per dev stack (kept under var/ so a restart keeps them), never printed."""

    clients: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load_or_create(cls, path: Path | None) -> DevSecrets:
        if path is not None and path.exists():
            return cls(json.loads(path.read_text()))
        names = [*PAGE_CLIENTS, *SERVICE_CLIENTS, THAID_DEV_CLIENT_ID, *TEST_CLIENTS.values(), TEST_ADMIN_CLIENT_ID]
        made = cls({name: secrets.token_urlsafe(32) for name in names})
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(json.dumps(made.clients))
        return made


@dataclass(frozen=True)
class DevUrls:
    keycloak: str
    registration: str
    identity: str

    @property
    def issuer(self) -> str:
        return f"{self.keycloak}/realms/debt"

    @property
    def thaid(self) -> str:
        return self.identity + THAID_SIM_PATH


def _substitute(text: str, values: dict[str, str]) -> str:
    # Only the placeholders we know; Keycloak's own (``${CLAIM.pid}``, ``${vault.…}``) stay as they are.
    return re.sub(r"\$\{([A-Z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def dev_realm(urls: DevUrls, dev_secrets: DevSecrets, *, test_client: bool = False,
              more_registration_urls: Sequence[str] = (), more_identity_urls: Sequence[str] = ()) -> dict[str, Any]:
    """``more_…_urls``: tests that run a second registration site or identity (other settings) beside the
    shared one need its sign-in callback accepted too."""
    text = REALM_FILE.read_text(encoding="utf-8")
    # Production names hosts behind https; the dev stack serves plain http on loopback.
    text = text.replace("https://${APP_HOSTNAME}", urls.registration)
    text = text.replace("https://${IDENTITY_HOSTNAME}", urls.identity)
    values = {"THAID_CLIENT_ID": THAID_DEV_CLIENT_ID,
              **{var: dev_secrets.clients[client] for client, var in PAGE_CLIENTS.items()}}
    realm: dict[str, Any] = json.loads(_substitute(text, values))
    for client in realm["clients"]:
        if client["clientId"] in SERVICE_CLIENTS:
            client["secret"] = dev_secrets.clients[client["clientId"]]
        if client["clientId"] in PAGE_CLIENTS:
            client["redirectUris"] += [f"{url}/auth/callback" for url in more_registration_urls]
            client["redirectUris"] += [f"{url}/signin/callback" for url in more_identity_urls]
            if client["clientId"] == "debt-staff":  # the reporting pages sign staff in on the same sites
                client["redirectUris"] += [f"{url}/reports/auth/callback" for url in more_registration_urls]
    thaid = next(p for p in realm["identityProviders"] if p["alias"] == "thaid")
    thaid["config"].update({
        "issuer": urls.thaid,
        "metadataDescriptorUrl": f"{urls.thaid}/.well-known/openid-configuration",
        "authorizationUrl": f"{urls.thaid}/api/v2/oauth2/auth/",
        "tokenUrl": f"{urls.thaid}/api/v2/oauth2/token/",
        "clientSecret": dev_secrets.clients[THAID_DEV_CLIENT_ID],  # production: ${vault.thaid_client_secret}
    })
    if test_client:
        for page_client, test_client_id in TEST_CLIENTS.items():
            secret = dev_secrets.clients[test_client_id]
            realm["clients"].append(_test_client(realm, page_client, test_client_id, secret))
        # Test-only realm administrator (e.g. to rotate the realm's signing key in a test).
        realm["clients"].append({
            "clientId": TEST_ADMIN_CLIENT_ID, "enabled": True, "publicClient": False, "protocol": "openid-connect",
            "secret": dev_secrets.clients[TEST_ADMIN_CLIENT_ID], "clientAuthenticatorType": "client-secret",
            "standardFlowEnabled": False, "directAccessGrantsEnabled": False, "serviceAccountsEnabled": True})
        realm["users"].append({"username": f"service-account-{TEST_ADMIN_CLIENT_ID}", "enabled": True,
                               "serviceAccountClientId": TEST_ADMIN_CLIENT_ID,
                               "clientRoles": {"realm-management": ["realm-admin"]}})
    return realm


def _test_client(realm: dict[str, Any], page_client: str, client_id: str, secret: str) -> dict[str, Any]:
    """Test-only: the password grant for users the tests create with random passwords, and the same
    mappers as ``page_client`` so its tokens have the production claim shape."""
    like = next(c for c in realm["clients"] if c["clientId"] == page_client)
    return {
        "clientId": client_id, "name": "Test suite only", "enabled": True, "protocol": "openid-connect",
        "publicClient": False, "secret": secret, "clientAuthenticatorType": "client-secret",
        "standardFlowEnabled": False, "directAccessGrantsEnabled": True, "serviceAccountsEnabled": False,
        "fullScopeAllowed": True, "defaultClientScopes": like.get("defaultClientScopes", []),
        "protocolMappers": like["protocolMappers"],
    }
