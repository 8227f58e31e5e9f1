"""Staff link their ThaiD on the real Keycloak: the page action sends the signed-in staff member through the
authorization endpoint with Keycloak's application-initiated action ``kc_action=idp_link:thaid`` (and PKCE);
Keycloak asks them to confirm, sends them to ThaiD (the simulator), records the link as the account's federated
identity ``thaid`` and comes back to ``/signin/callback``, where identity checks the link and audits
``staff.link_thaid``. A staff member who has not linked ThaiD yet signs in with the password they chose."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from contracts.claims import Role, TokenVerifier
from identity.adapters.geothai_units import load_catalogue
from identity.adapters.keycloak_directory import KeycloakStaffDirectory
from identity.domain.fake_people import fake_person
from identity.domain.staff import StaffRow
from identity.domain.units import group_chain, kind_for
from infra.dev.browser import REDIRECTS, DevBrowser, code_flow_tokens, csrf_in, query_of
from infra.dev.testing import KeycloakStack, RunningService

from ..conftest import KeycloakUnderTest

_LOGIN_FORM = re.compile(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"')
_FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')
_HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


@dataclass
class StaffMember:
    user_id: str
    citizen_id: str
    unit_code: str
    password: str


@pytest.fixture
def directory(keycloak: KeycloakUnderTest) -> KeycloakStaffDirectory:
    return keycloak.directory()


@pytest.fixture
def new_staff(directory: KeycloakStaffDirectory, new_citizen_id: Callable[[], str]
              ) -> Iterator[Callable[[str, Role], StaffMember]]:
    """Provisioned staff accounts with no ThaiD link yet, who finished their required actions (chose a
    password; no OTP enrolled, so the realm asks for none)."""
    made: list[str] = []

    def make(unit_code: str = "4701", role: Role = Role.REGISTRAR) -> StaffMember:
        cid = new_citizen_id()
        kind = kind_for(role, unit_code)
        assert kind is not None
        person = fake_person(f"staff:{cid}")
        row = StaffRow(row=2, citizen_id=cid, title=person.title, given_name=person.given_name,
                       family_name=person.family_name, position="ปลัดอำเภอ", unit_code=unit_code, unit_kind=kind,
                       role=role, email=f"{cid}@staff.test", phone=None)
        user_id = directory.create(row, directory.ensure_unit_group(group_chain(load_catalogue(), unit_code, kind)))
        made.append(user_id)
        user = directory.admin.get_user(user_id)
        directory.admin.update_user(user_id, {**user, "requiredActions": [], "emailVerified": True})
        password = secrets.token_urlsafe(18)
        directory.admin.set_user_password(user_id, password, temporary=False)
        return StaffMember(user_id, cid, unit_code, password)

    yield make
    for user_id in made:
        directory.delete(user_id)


def sign_in_with_password(browser: DevBrowser, service: RunningService, staff: StaffMember) -> None:
    start = browser.get(f"{service.url}/signin?next=/")
    login = browser.get(start.headers["location"])
    form = _LOGIN_FORM.search(login.text)
    assert login.status_code == 200 and form is not None, login.text[-2000:]
    answer = browser.post(html.unescape(form.group(1)), data={"username": staff.citizen_id,
                                                              "password": staff.password})
    assert answer.status_code in REDIRECTS, answer.text[-2000:]
    landed = browser.get(answer.headers["location"])
    assert landed.status_code == 303 and landed.headers["location"] == "/", landed.text[-2000:]


def start_link(browser: DevBrowser, service: RunningService) -> httpx.Response:
    home = browser.get(f"{service.url}/")
    assert "เชื่อมบัญชี ThaiD" in home.text and 'action="/staff/link-thaid"' in home.text
    return browser.post(f"{service.url}/staff/link-thaid", data={"csrf": csrf_in(home.text)})


def link_through_keycloak(browser: DevBrowser, service: RunningService, citizen_id: str, *,
                          confirm: bool = True, cancel_at_thaid: bool = False) -> httpx.Response:
    """The link as the person does it: confirm on Keycloak's page (or cancel there), the citizen ID on the
    ThaiD simulator (or cancel there), and back; returns identity's answer at /signin/callback, or Keycloak's
    error page when Keycloak refuses the link itself."""
    callback = f"{service.url}/signin/callback"
    response = start_link(browser, service)
    for _ in range(20):
        url = str(response.url)
        if response.status_code in REDIRECTS:
            location = urljoin(url, response.headers["location"])
            response = browser.get(location)
            if location.startswith(callback):
                return response
        elif "/dev/thaid/" in url and "csrf" in response.text:
            form = {k: html.unescape(v) for k, v in _HIDDEN.findall(response.text) if k != "cancel"}
            answer = {"cancel": "1"} if cancel_at_thaid else {"citizen_id": citizen_id}
            response = browser.post(url.split("?")[0], data={**form, **answer})
        elif "link-idp-action" in response.text:  # Keycloak: "Do you want to link your account with ThaiD?"
            action = _FORM_ACTION.search(response.text)
            assert action is not None
            response = browser.post(html.unescape(action.group(1)),
                                    data={"continue": ""} if confirm else {"cancel-aia": ""})
        elif 'id="kc-error-message"' in response.text:
            return response
        else:
            raise AssertionError(f"the link stopped at {url}: {response.status_code} {response.text[-2000:]}")
    raise AssertionError("the link went round in circles")


def link_entries(service: RunningService, token_for: Callable[[str], str], sub: str) -> list[dict[str, Any]]:
    with service.client(token_for("auditor")) as http:
        found = http.get("/api/v1/audit", params={"action": "staff.link_thaid", "actor": sub}).json()
    entries: list[dict[str, Any]] = found["entries"]
    return entries


def test_the_link_action_redirects_with_kc_action_and_pkce(identity: RunningService, issuer_url: str) -> None:
    with DevBrowser() as browser:
        browser.sign_in_through(f"{identity.url}/signin?next=/", "district_officer:4701")
        answer = start_link(browser, identity)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith(f"{issuer_url}/protocol/openid-connect/auth?")
    params = query_of(location)
    assert params["kc_action"] == "idp_link:thaid" and params["client_id"] == "debt-staff"
    assert params["code_challenge_method"] == "S256" and re.fullmatch(r"[A-Za-z0-9_-]{43}", params["code_challenge"])
    assert params["redirect_uri"] == f"{identity.url}/signin/callback" and params["response_type"] == "code"
    assert params["state"] and params["nonce"] and "kc_idp_hint" not in params
    state_cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("idn_signin="))
    assert "path=/signin" in state_cookie.lower() and "httponly" in state_cookie.lower()


def test_only_signed_in_staff_with_a_valid_form_may_start_it(identity: RunningService) -> None:
    with DevBrowser() as anonymous:
        assert anonymous.post(f"{identity.url}/staff/link-thaid", data={"csrf": "x"}).headers[
            "location"].startswith("/signin?next=")
    with DevBrowser() as citizen:
        landed = citizen.sign_in_through(f"{identity.url}/signin?as=citizen&next=/", "citizen:1101700230708")
        assert landed.status_code == 303, landed.text
        home = citizen.get(f"{identity.url}/")
        assert "ออกจากระบบ" in home.text and "/staff/link-thaid" not in home.text
        refused = citizen.post(f"{identity.url}/staff/link-thaid", data={"csrf": csrf_in(home.text)})
        assert refused.status_code == 403 and "เฉพาะบัญชีเจ้าหน้าที่" in refused.text
    with DevBrowser() as staff:
        staff.sign_in_through(f"{identity.url}/signin?next=/", "registrar:4701")
        assert staff.post(f"{identity.url}/staff/link-thaid", data={"csrf": "forged"}).status_code == 403


def test_staff_link_their_own_thaid_and_then_sign_in_with_it(
    identity: RunningService, keycloak_server: KeycloakStack, directory: KeycloakStaffDirectory,
    token_for: Callable[[str], str], new_staff: Callable[..., StaffMember],
) -> None:
    staff = new_staff("4703", Role.DISTRICT_OFFICER)
    with DevBrowser() as browser:
        sign_in_with_password(browser, identity, staff)
        done = link_through_keycloak(browser, identity, staff.citizen_id)
        assert done.status_code == 303 and done.headers["location"] == "/?linked=thaid", done.text[-1500:]
        assert "เชื่อมบัญชี ThaiD เรียบร้อยแล้ว" in browser.get(f"{identity.url}/?linked=thaid").text
    link = directory.thaid_link(staff.user_id)  # the record is Keycloak's federated identity, nowhere else
    assert link is not None and link.linked_citizen_id == staff.citizen_id
    [entry] = link_entries(identity, token_for, staff.user_id)
    assert entry["outcome"] == "allowed" and entry["target"] == "idp:thaid" and entry["actor_unit_code"] == "4703"
    assert staff.citizen_id not in str(entry)  # the audit log names the provider, never the citizen ID

    # What the link is for: ThaiD now signs the same staff account in, with its role and unit, not as a citizen.
    tokens = code_flow_tokens(keycloak_server.issuer, f"citizen:{staff.citizen_id}", client_id="debt-staff",
                              client_secret=keycloak_server.secrets.clients["debt-staff"],
                              redirect_uri=f"{identity.url}/signin/callback")
    claims = TokenVerifier(keycloak_server.issuer, "debt-services").verify(tokens["access_token"])
    assert claims.sub == staff.user_id and claims.roles == {Role.DISTRICT_OFFICER} and claims.unit_code == "4703"


@pytest.mark.parametrize("where", ["keycloak", "thaid"])
def test_cancelling_links_nothing(identity: RunningService, directory: KeycloakStaffDirectory,
                                  token_for: Callable[[str], str], new_staff: Callable[..., StaffMember],
                                  where: str) -> None:
    staff = new_staff()
    with DevBrowser() as browser:
        sign_in_with_password(browser, identity, staff)
        done = link_through_keycloak(browser, identity, staff.citizen_id, confirm=where != "keycloak",
                                     cancel_at_thaid=where == "thaid")
    assert done.status_code == 200 and "ยกเลิกการเชื่อมบัญชี ThaiD" in done.text, done.text[-1500:]
    assert directory.thaid_link(staff.user_id) is None and link_entries(identity, token_for, staff.user_id) == []


def test_a_thaid_that_is_not_the_account_holders_is_unlinked_again(
    identity: RunningService, directory: KeycloakStaffDirectory, token_for: Callable[[str], str],
    new_staff: Callable[..., StaffMember], new_citizen_id: Callable[[], str],
) -> None:
    """Keycloak links whatever ThaiD identity comes back; identity removes a link whose citizen ID is not the
    account holder's (someone else at the keyboard) and records the refusal."""
    staff, stranger = new_staff("4702"), new_citizen_id()
    with DevBrowser() as browser:
        sign_in_with_password(browser, identity, staff)
        refused = link_through_keycloak(browser, identity, stranger)
    assert refused.status_code == 409 and "ไม่ตรงกับบัญชีเจ้าหน้าที่" in refused.text, refused.text[-1500:]
    assert directory.thaid_link(staff.user_id) is None
    [entry] = link_entries(identity, token_for, staff.user_id)
    assert entry["outcome"] == "denied" and stranger not in str(entry) and staff.citizen_id not in str(entry)


def test_a_refused_link_leaves_the_account_as_provisioned(
    identity: RunningService, directory: KeycloakStaffDirectory, new_staff: Callable[..., StaffMember],
    new_citizen_id: Callable[[], str],
) -> None:
    staff, stranger = new_staff("4702"), new_citizen_id()
    with DevBrowser() as browser:
        sign_in_with_password(browser, identity, staff)
        assert link_through_keycloak(browser, identity, stranger).status_code == 409
        account = directory.get(staff.user_id)
        assert account is not None and (account.username, account.citizen_id) == (staff.citizen_id,) * 2
        accepted = link_through_keycloak(browser, identity, staff.citizen_id)  # the holder may still link
        assert accepted.status_code == 303 and accepted.headers["location"] == "/?linked=thaid"


def test_a_thaid_already_linked_to_another_account_is_refused_by_keycloak(
    identity: RunningService, keycloak_server: KeycloakStack, directory: KeycloakStaffDirectory,
    token_for: Callable[[str], str], new_staff: Callable[..., StaffMember], new_citizen_id: Callable[[], str],
) -> None:
    citizen = new_citizen_id()
    code_flow_tokens(keycloak_server.issuer, f"citizen:{citizen}", client_id="debt-public",  # their own account
                     client_secret=keycloak_server.secrets.clients["debt-public"],
                     redirect_uri=f"{identity.url}/signin/callback")
    staff = new_staff()
    with DevBrowser() as browser:
        sign_in_with_password(browser, identity, staff)
        refused = link_through_keycloak(browser, identity, citizen)
    assert refused.status_code == 400 and "เชื่อมโยงกับผู้ใช้งานอื่นแล้ว" in refused.text  # "already linked to another user"
    assert directory.thaid_link(staff.user_id) is None and link_entries(identity, token_for, staff.user_id) == []
