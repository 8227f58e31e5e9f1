"""What the page tests share: form data a browser posts, a site to post it to, and views into the site's
database (sessions, outbox, cases) for checking what a request left behind."""

from __future__ import annotations

import re
import time
import uuid
from contextlib import AbstractContextManager
from typing import Any

import httpx

from infra.dev.browser import DevBrowser
from infra.dev.testing import KafkaUnderTest, KeycloakStack, RunningService, registration_site
from registration.web.session import session_key

CONTACT = {"debtor.phone": "๐๘๑ ๒๓๔ ๕๖๗๘", "debtor.address.line": "99/1 หมู่ 2 ถนนเพชรเกษม",
           "debtor.address.province_code": "10", "debtor.address.district_code": "1001",
           "debtor.address.subdistrict_code": "100101", "debtor.occupation": "ค้าขาย",
           "debtor.monthly_income": "9,000"}
CREDITORS = {"creditors.0.kind": "person", "creditors.0.name": "เจ๊หมวย", "creditors.0.how_met": "",
             "creditors.0.debts.0.principal": "20,000", "creditors.0.debts.0.outstanding": "15,500.50",
             "creditors.0.debts.0.interest_rate": "20", "creditors.0.debts.0.interest_period": "month",
             "creditors.0.debts.0.collateral": "id_card", "creditors.0.debts.0.threatened": "yes"}
HELP = {"help_wanted": "mediation", "privacy_acknowledged": "yes"}


def citizen_id(seed: int) -> str:
    first12 = f"1{seed:011d}"[:12]
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10
    return first12 + str(check)


def new_citizen() -> str:
    return citizen_id(uuid.uuid4().int % 10**11)


def running_site(kafka: KafkaUnderTest, mongodb_uri: str, keycloak: KeycloakStack, **env: str
                 ) -> AbstractContextManager[RunningService]:
    """The pages on a loopback port the test realm redirects back to."""
    return registration_site(kafka, mongodb_uri, keycloak, **env)


def post_step(client: DevBrowser, step: str, data: dict[str, str], prefix: str = "/register") -> httpx.Response:
    url = f"{prefix}/step/{step}"
    return client.post_form(url, data)


def register_self(client: DevBrowser, cid: str) -> httpx.Response:
    client.sign_in(f"citizen:{cid}", next_path="/register/step/contact")
    for step, data in (("contact", CONTACT), ("creditors", CREDITORS), ("help", HELP)):
        answer = post_step(client, step, data)
        assert answer.status_code == 303, answer.text[:2000]
    return client.follow(client.post_form("/register/submit", {}, page=client.get("/register/step/review").text))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


PERSON = {"debtor.title": "นาย", "debtor.given_name": "สมหมาย", "debtor.family_name": "ใจงาม",
          "debtor.birth_date": "01/02/2510"}


def sessions(site: RunningService) -> Any:
    return site.app.state.mongo[site.app.state.web.database]["web_sessions"]


def session_doc(site: RunningService, browser: DevBrowser) -> dict[str, Any]:
    cookie = browser.cookies[f"127.0.0.1:{site.url.rsplit(':', 1)[1]}"]["reg_session"]
    doc: dict[str, Any] | None = sessions(site).find_one({"_id": session_key(cookie.split(".")[0])})
    assert doc is not None
    return doc


def let_token_expire(site: RunningService, browser: DevBrowser) -> None:
    """What the passing of the token's lifetime does (300 s in production), without waiting for it."""
    doc = session_doc(site, browser)
    sessions(site).update_one({"_id": doc["_id"]}, {"$set": {"token_exp": time.time() - 1}})


def audits(site: RunningService, **match: Any) -> list[dict[str, Any]]:
    outbox = site.app.state.mongo[site.app.state.web.database]["outbox"]
    events = [doc["event"] for doc in outbox.find({"topic": "audit-events"})]
    return [e for e in events if all(e.get(k) == v for k, v in match.items())]


def desk_review(browser: DevBrowser, cid: str, district: str = "1001", subdistrict: str = "100101") -> str:
    """Keys a whole desk registration of ``cid`` (debtor living in ``district``) and returns the review page."""
    browser.post_form("/desk/start", {"mode": "desk"}, page=browser.get("/desk").text)
    contact = {**CONTACT, "debtor.address.district_code": district, "debtor.address.subdistrict_code": subdistrict}
    for step, data in (("person", {**PERSON, "debtor.citizen_id": cid}), ("contact", contact),
                       ("creditors", CREDITORS), ("help", HELP)):
        answer = post_step(browser, step, data, "/desk")
        assert answer.status_code == 303, answer.text[:1500]
    return browser.get("/desk/step/review").text


def desk_register(browser: DevBrowser, cid: str) -> str:
    receipt = browser.follow(browser.post_form("/desk/submit", {}, page=desk_review(browser, cid)))
    assert receipt.status_code == 200, receipt.text[:1500]
    return cid


def case_of(site: RunningService, cid: str) -> dict[str, object]:
    """The citizen's case as stored."""
    case: dict[str, object] = site.app.state.cases.cases.find_one({"citizen_id": cid})
    return case
