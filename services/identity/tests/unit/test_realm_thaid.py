"""The realm file wires ThaiD the way identity relies on (infra/keycloak/README.md, "Staff link their
ThaiD"): staff can link ThaiD through the application-initiated action, and ThaiD's first sign-in links
to the existing account with the same citizen ID instead of creating a second one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REALM_FILE = Path(__file__).resolve().parents[4] / "infra" / "keycloak" / "realm-debt.json"


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    return loaded


def flows(realm: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["alias"]: f for f in realm["authenticationFlows"]}


def steps(realm: dict[str, Any], alias: str) -> list[tuple[str, str]]:
    """(authenticator or sub-flow alias, requirement) of a flow, in priority order."""
    found = sorted(flows(realm)[alias]["authenticationExecutions"], key=lambda e: e["priority"])
    return [(e.get("flowAlias") or e["authenticator"], e["requirement"]) for e in found]


def every_step(realm: dict[str, Any], alias: str) -> list[str]:
    out = []
    for name, _ in steps(realm, alias):
        out += every_step(realm, name) if name in flows(realm) else [name]
    return out


def test_thaid_identities_are_named_by_citizen_id(realm: dict[str, Any]) -> None:
    mappers = [m for m in realm["identityProviderMappers"] if m["identityProviderAlias"] == "thaid"]
    username = [m for m in mappers if m["identityProviderMapper"] == "oidc-username-idp-mapper"]
    # The account's username and the link record's name are both the citizen ID ThaiD proved.
    assert sorted((m["config"]["template"], m["config"]["target"]) for m in username) == [
        ("${CLAIM.pid}", "BROKER_USERNAME"), ("${CLAIM.pid}", "LOCAL")]
    # Only a new account takes ThaiD's data: linking a ThaiD must never rename or rewrite an existing account.
    assert {m["config"]["syncMode"] for m in mappers} == {"IMPORT"}
    assert realm["editUsernameAllowed"] is False  # provisioning's username = citizen ID stays so


def test_first_thaid_sign_in_links_to_the_account_with_that_citizen_id(realm: dict[str, Any]) -> None:
    """ThaiD proves the citizen ID and a staff account's username is that citizen ID, so the first ThaiD sign-in
    links to it with no password step (the account's OTP, when it has one, is still asked)."""
    thaid = next(p for p in realm["identityProviders"] if p["alias"] == "thaid")
    first = thaid["firstBrokerLoginFlowAlias"]
    assert first != "first broker login" and first in flows(realm)
    [(choice, required)] = steps(realm, first)
    assert required == "REQUIRED"
    assert steps(realm, choice) == [("idp-create-user-if-unique", "ALTERNATIVE"),
                                    ("thaid link existing account", "ALTERNATIVE")]
    linking = steps(realm, "thaid link existing account")
    assert [requirement for _, requirement in linking] == ["REQUIRED", "CONDITIONAL"]
    auto_link, otp = (name for name, _ in linking)
    assert auto_link == "idp-auto-link"
    assert steps(realm, otp) == [("conditional-user-configured", "REQUIRED"), ("auth-otp-form", "REQUIRED")]
    everything = every_step(realm, first)
    # Steps that would let the person pick another username (a duplicate) or confirm a link to another account:
    assert not {"idp-review-profile", "idp-confirm-link", "idp-username-password-form"} & set(everything)
    post = thaid["postBrokerLoginFlowAlias"]
    assert "auth-otp-form" in every_step(realm, post) and "conditional-user-configured" in every_step(realm, post)
    # Linked staff do not become citizens: the citizen role is given only to accounts ThaiD creates.
    [citizen_role] = [m for m in realm["identityProviderMappers"]
                      if m["identityProviderAlias"] == "thaid" and m["name"] == "citizen role"]
    assert citizen_role["identityProviderMapper"] == "oidc-hardcoded-role-idp-mapper"
    assert citizen_role["config"] == {"role": "citizen", "syncMode": "IMPORT"}


def test_staff_may_link_thaid_from_the_application(realm: dict[str, Any]) -> None:
    action = next(a for a in realm["requiredActions"] if a["providerId"] == "idp_link")
    assert action["enabled"] is True and action["alias"] == "idp_link"
    staff = next(c for c in realm["clients"] if c["clientId"] == "debt-staff")
    assert staff["fullScopeAllowed"] is True  # the account role manage-account(-links) must be in scope
    assert "defaultRole" not in realm  # so Keycloak's default roles (incl. manage-account) apply


def test_listing_flows_does_not_lose_keycloaks_defaults(realm: dict[str, Any]) -> None:
    """A realm file with any flow gets no default browser / direct grant / registration flow on import."""
    known = flows(realm)
    for binding in ("browserFlow", "directGrantFlow", "registrationFlow"):
        assert realm[binding] in known, binding
    assert steps(realm, "browser")[0] == ("auth-cookie", "ALTERNATIVE")
    assert "auth-username-password-form" in every_step(realm, "browser")
    referenced = {e["flowAlias"] for f in known.values() for e in f["authenticationExecutions"] if "flowAlias" in e}
    assert referenced <= set(known)
    configs = {c["alias"] for c in realm["authenticatorConfig"]}
    assert {e["authenticatorConfig"] for f in known.values() for e in f["authenticationExecutions"]
            if "authenticatorConfig" in e} <= configs
