"""Staff link their ThaiD: the page action sends the signed-in staff member through the authorization
endpoint with Keycloak's application-initiated action ``kc_action=idp_link:thaid`` (and PKCE); on the dev
stack the dev issuer asks for a citizen ID and records the link; identity audits ``staff.link_thaid``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx

from identity.domain.personas import parse_persona
from infra.dev.browser import DevBrowser, csrf_in, query_of
from infra.dev.testing import RunningService

from ..conftest import KeycloakUnderTest


def start_link(browser: DevBrowser, service: RunningService, persona: str) -> httpx.Response:
    landed = browser.sign_in_through(f"{service.url}/signin?next=/", persona)
    assert landed.status_code == 303, landed.text
    home = browser.get(f"{service.url}/")
    assert "เชื่อมบัญชี ThaiD" in home.text and 'action="/staff/link-thaid"' in home.text
    return browser.post(f"{service.url}/staff/link-thaid", data={"csrf": csrf_in(home.text)})


def link_entries(service: RunningService, token_for: Callable[[str], str], sub: str) -> list[dict[str, Any]]:
    with service.client(token_for("auditor")) as http:
        found = http.get("/api/v1/audit", params={"action": "staff.link_thaid", "actor": sub}).json()
    entries: list[dict[str, Any]] = found["entries"]
    return entries


def test_the_link_action_redirects_with_kc_action_and_pkce(identity_app: RunningService, issuer_url: str) -> None:
    with DevBrowser() as browser:
        answer = start_link(browser, identity_app, "district_officer:4701")
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith(f"{issuer_url}/protocol/openid-connect/auth?")
    params = query_of(location)
    assert params["kc_action"] == "idp_link:thaid" and params["client_id"] == "debt-staff"
    assert params["code_challenge_method"] == "S256" and re.fullmatch(r"[A-Za-z0-9_-]{43}", params["code_challenge"])
    assert params["redirect_uri"] == f"{identity_app.url}/signin/callback" and params["response_type"] == "code"
    assert params["state"] and params["nonce"] and "kc_idp_hint" not in params
    state_cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("idn_signin="))
    assert "path=/signin" in state_cookie.lower() and "httponly" in state_cookie.lower()


def test_only_signed_in_staff_with_a_valid_form_may_start_it(identity_app: RunningService) -> None:
    with DevBrowser() as anonymous:
        assert anonymous.post(f"{identity_app.url}/staff/link-thaid", data={"csrf": "x"}).headers[
            "location"].startswith("/signin?next=")
    with DevBrowser() as citizen:
        citizen.sign_in_through(f"{identity_app.url}/signin?next=/", "citizen:1101700230705")
        home = citizen.get(f"{identity_app.url}/")
        assert "/staff/link-thaid" not in home.text
        refused = citizen.post(f"{identity_app.url}/staff/link-thaid", data={"csrf": csrf_in(home.text)})
        assert refused.status_code == 403 and "เฉพาะบัญชีเจ้าหน้าที่" in refused.text
    with DevBrowser() as staff:
        staff.sign_in_through(f"{identity_app.url}/signin?next=/", "registrar:4701")
        assert staff.post(f"{identity_app.url}/staff/link-thaid", data={"csrf": "forged"}).status_code == 403


def test_dev_flow_records_the_link_and_the_audit_entry(identity: RunningService, token_for: Callable[[str], str],
                                                       new_citizen_id: Callable[[], str]) -> None:
    """identity as `make run` starts it: its own dev issuer, whose record is identity's ThaidLinks."""
    persona = "district_officer:4703"
    sub = parse_persona(persona).subject
    before = len(link_entries(identity, token_for, sub))
    linked = new_citizen_id()
    with DevBrowser() as browser:
        to_issuer = start_link(browser, identity, persona)
        assert to_issuer.status_code == 303
        page = browser.get(to_issuer.headers["location"])
        assert page.status_code == 200 and "เชื่อมบัญชี ThaiD" in page.text and persona in page.text
        form = {**query_of(to_issuer.headers["location"]), "csrf": csrf_in(page.text)}
        action = to_issuer.headers["location"].split("?")[0]
        wrong = browser.post(action, data={**form, "citizen_id": linked[:12] + str((int(linked[12]) + 1) % 10)})
        assert wrong.status_code == 400 and "เลขประจำตัวประชาชนไม่ถูกต้อง" in wrong.text
        back = browser.post(action, data={**form, "citizen_id": linked})
        assert back.status_code == 303
        returned = query_of(back.headers["location"])
        assert returned["kc_action_status"] == "success" and returned["code"] and returned["state"] == form["state"]
        done = browser.get(back.headers["location"])
        assert done.status_code == 303 and done.headers["location"] == "/?linked=thaid"
        assert "เชื่อมบัญชี ThaiD เรียบร้อยแล้ว" in browser.get(f"{identity.url}/?linked=thaid").text
    link = identity.app.state.thaid_links.thaid_link(sub)
    assert link is not None and link.linked_citizen_id == linked
    entries = link_entries(identity, token_for, sub)
    assert len(entries) == before + 1
    entry = entries[0]
    assert entry["outcome"] == "allowed" and entry["target"] == "idp:thaid" and entry["actor_unit_code"] == "4703"
    assert linked not in str(entry)  # the audit log names the provider, never the citizen ID


def test_cancelling_at_the_issuer_links_nothing(identity: RunningService, token_for: Callable[[str], str]) -> None:
    persona = "province_officer:48"
    sub = parse_persona(persona).subject
    with DevBrowser() as browser:
        to_issuer = start_link(browser, identity, persona)
        page = browser.get(to_issuer.headers["location"])
        form = {**query_of(to_issuer.headers["location"]), "csrf": csrf_in(page.text), "cancel": "1"}
        back = browser.post(to_issuer.headers["location"].split("?")[0], data=form)
        assert query_of(back.headers["location"])["kc_action_status"] == "cancelled"
        done = browser.get(back.headers["location"])
    assert done.status_code == 200 and "ยกเลิกการเชื่อมบัญชี ThaiD" in done.text
    assert identity.app.state.thaid_links.thaid_link(sub) is None and link_entries(identity, token_for, sub) == []


def _through_the_issuer(service: RunningService, persona: str, citizen_id: str) -> httpx.Response:
    with DevBrowser() as browser:
        to_issuer = start_link(browser, service, persona)
        page = browser.get(to_issuer.headers["location"])
        form = {**query_of(to_issuer.headers["location"]), "csrf": csrf_in(page.text), "citizen_id": citizen_id}
        back = browser.post(to_issuer.headers["location"].split("?")[0], data=form)
        return browser.get(back.headers["location"])


def test_keycloak_links_are_checked_against_the_account_citizen_id(
    identity_on_stand_in: RunningService, stand_in: KeycloakUnderTest, token_for: Callable[[str], str],
    new_citizen_id: Callable[[], str],
) -> None:
    """Production path: identity reads the link from Keycloak's federated identities and removes one whose
    ThaiD citizen ID is not the account's."""
    fake = stand_in.fake
    assert fake is not None
    owner, stranger = new_citizen_id(), new_citizen_id()
    persona = "registrar:4702"
    sub = parse_persona(persona).subject  # in Keycloak the token's sub is the account id
    fake.state.users[sub] = {"id": sub, "username": owner, "enabled": True, "attributes": {"citizen_id": [owner]}}
    fake.state.federated[sub] = {"thaid": {"identityProvider": "thaid", "userId": "t-1", "userName": stranger}}
    refused = _through_the_issuer(identity_on_stand_in, persona, stranger)
    assert refused.status_code == 409 and "ไม่ตรงกับบัญชีเจ้าหน้าที่" in refused.text
    assert fake.state.federated[sub] == {}
    assert ("DELETE", f"/admin/realms/debt/users/{sub}/federated-identity/thaid") in [
        (r.method, r.path) for r in fake.admin_requests()]
    assert [e["outcome"] for e in link_entries(identity_on_stand_in, token_for, sub)] == ["denied"]

    fake.state.federated[sub] = {"thaid": {"identityProvider": "thaid", "userId": "t-2", "userName": owner}}
    accepted = _through_the_issuer(identity_on_stand_in, persona, owner)
    assert accepted.status_code == 303 and accepted.headers["location"] == "/?linked=thaid"
    assert [e["outcome"] for e in link_entries(identity_on_stand_in, token_for, sub)] == ["allowed", "denied"]
