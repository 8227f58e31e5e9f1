"""A page session never outlives the access token it was made from, so a deactivated officer loses the pages
once their last token expires (Keycloak then refuses their sign-in); an active one signs in again and finds
their draft. The service runs in a real uvicorn server on the dev stack."""

from __future__ import annotations

import time

from contracts.oidc_flow import token_expiry
from contracts.web import csrf_token
from infra.dev.browser import DevBrowser, csrf_in
from infra.dev.testing import KeycloakStack, RunningService

from .pages_support import CONTACT, PERSON, let_token_expire, new_citizen, post_step, session_doc, sessions


def start_desk_draft(browser: DevBrowser, persona: str) -> str:
    browser.sign_in(persona, flow="staff", next_path="/desk")
    browser.post_form("/desk/start", {"mode": "desk"}, page=browser.get("/desk").text)
    cid = new_citizen()
    assert post_step(browser, "person", {**PERSON, "debtor.citizen_id": cid}, "/desk").status_code == 303
    return cid


def test_the_session_ends_when_its_access_token_does(site: RunningService, browser: DevBrowser) -> None:
    browser.sign_in("registrar:1001", flow="staff", next_path="/desk")
    doc = session_doc(site, browser)
    assert doc["token_exp"] == token_expiry(doc["access_token"])  # the token's own exp, not a guess
    assert time.time() < doc["token_exp"] <= time.time() + 900 + 5  # the dev issuer's token lifetime


def test_an_expired_desk_session_goes_through_sign_in_and_cannot_post(site: RunningService,
                                                                        browser: DevBrowser) -> None:
    cid = start_desk_draft(browser, "registrar:1001")
    contact_page = browser.get("/desk/step/contact").text
    let_token_expire(site, browser)

    for path in ("/desk", "/desk/step/contact", "/desk/receipt/10-2569-000001", "/staff/publicity"):
        answer = browser.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/auth/signin?flow=staff&next="), path
    assert 'href="/desk"' not in browser.get("/staff").text  # the staff home shows the sign-in button instead

    refused = browser.post("/desk/step/contact", data={**CONTACT, "csrf": csrf_in(contact_page)})
    assert refused.status_code == 401 and "กรุณาเข้าสู่ระบบอีกครั้ง" in refused.text
    assert "next=/desk/step/contact" in refused.text
    assert browser.post("/desk/submit", data={"csrf": csrf_in(contact_page)}).status_code == 401
    assert "phone" not in session_doc(site, browser)["draft"]["debtor"]  # nothing was saved

    # In production Keycloak's SSO makes this a redirect round trip for an active officer (and refuses a
    # deactivated one); the same officer finds the draft again.
    landed = browser.sign_in("registrar:1001", flow="staff", next_path="/desk/step/person")
    assert landed.status_code == 200 and f'value="{cid}"' in landed.text
    assert browser.post_form("/desk/step/contact", CONTACT).status_code == 303


def test_someone_else_signing_in_on_that_browser_does_not_get_the_draft(
        site: RunningService, browser: DevBrowser, keycloak_server: KeycloakStack) -> None:
    cid = start_desk_draft(browser, "registrar:1001")
    let_token_expire(site, browser)
    previous = session_doc(site, browser)["_id"]
    # Their Keycloak session has ended too (else Keycloak would sign the same person in again).
    browser.forget(keycloak_server.url)
    browser.sign_in("registrar:1002", flow="staff", next_path="/desk")
    assert "มีรายการที่กรอกค้างไว้" not in browser.get("/desk").text
    assert browser.get("/desk/step/person").headers["location"] == "/desk"  # no draft: back to the desk home
    assert cid not in str(session_doc(site, browser))
    assert sessions(site).find_one({"_id": previous}) is None  # the ended session is gone, draft and all


def test_an_expired_citizen_session_is_sent_to_sign_in(site: RunningService, browser: DevBrowser) -> None:
    browser.sign_in(f"citizen:{new_citizen()}", next_path="/register/step/contact")
    let_token_expire(site, browser)
    answer = browser.get("/register/step/contact")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/auth/signin?flow=public")
    signed_out = browser.get("/register")
    assert 'id="signin"' in signed_out.text  # shown as signed out
    # Signing out of an ended session still clears it.
    ended = session_doc(site, browser)["_id"]
    assert browser.post_form("/auth/signout", {}, page=csrf_page(site, browser)).status_code == 303
    assert sessions(site).find_one({"_id": ended}) is None


def csrf_page(site: RunningService, browser: DevBrowser) -> str:
    """A page carrying the CSRF token of the browser's (ended) session, as a tab left open would."""
    sid = browser.cookies[f"127.0.0.1:{site.url.rsplit(':', 1)[1]}"]["reg_session"].split(".")[0]
    return f'<input name="csrf" value="{csrf_token(site.app.state.web.secret, sid)}">'
