"""A new staff member's welcome, end to end on the real Keycloak, Kafka and database (issue #11): a district
officer uploads a staff list to identity → identity's outbox publishes StaffProvisioned (ids and codes only) on
staff-events → notify consumes it, reads the person's e-mail and a fresh activation link from identity with its
own service account (audited) → the loopback SMTP server receives the Thai e-mail → the person opens the link
and chooses their password, which identity sets in Keycloak. The link works once; an administrator's resend
goes the same way and supersedes the first link; no password is ever sent and Keycloak sends no e-mail."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from keycloak import KeycloakAdmin
from pymongo import MongoClient

from infra.dev.testing import (
    KafkaUnderTest,
    KeycloakStack,
    RunningService,
    free_port,
    serve,
    stop_service,
    wait_until,
)
from notify.devsinks.sinks import Received, Sinks

PASSWORD = "ตั้งเองที่หน้าเปิดใช้-2569"
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/activate/[A-Za-z0-9_-]{43})")


def _citizen_id() -> str:
    first12 = "5" + str(uuid.uuid4().int)[:11]
    return first12 + str((11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10)


@pytest.fixture
def stack(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack, issuer_url: str,
          db_name: str) -> Iterator[dict[str, Any]]:
    """identity (provisioning into the real Keycloak, publishing to Kafka) and notify (consuming staff-events,
    reading contacts from that identity as debt-notify, sending to the loopback SMTP server)."""
    from identity.main import create_app as identity_app
    from identity.settings import Settings as IdentitySettings
    from notify.main import create_app as notify_app
    from notify.settings import Settings as NotifySettings

    clients, port = keycloak_server.secrets.clients, free_port()
    identity = serve(identity_app(IdentitySettings(
        env="test", mongodb_uri=mongodb_uri, mongodb_database=f"idn_{db_name}", public_url=f"http://127.0.0.1:{port}",
        oidc_issuer_url=issuer_url, kafka_bootstrap_servers=kafka.bootstrap, consumer_group=f"idn-{db_name}",
        keycloak_url=keycloak_server.url, keycloak_admin_client_id="debt-identity",
        keycloak_admin_client_secret=clients["debt-identity"])), port)
    sinks = Sinks().start()
    notify = serve(notify_app(NotifySettings(
        mongodb_uri=mongodb_uri, mongodb_database=f"ntf_{db_name}", kafka_bootstrap_servers=kafka.bootstrap,
        consumer_group=f"ntf-{db_name}", oidc_issuer_url=issuer_url, smtp_port=sinks.smtp_port,
        sms_gateway_url=f"{sinks.http_url}/sms/send", line_api_url=sinks.http_url,
        registration_url="http://127.0.0.1:9", identity_url=identity.url, client_secret=clients["debt-notify"])))
    admin = KeycloakAdmin(server_url=keycloak_server.url + "/", realm_name="debt", client_id="debt-identity",
                          client_secret_key=clients["debt-identity"])
    mongo: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri)
    try:
        yield {"identity": identity, "sinks": sinks, "admin": admin, "db": mongo[f"idn_{db_name}"]}
    finally:
        stop_service(notify)
        stop_service(identity)
        sinks.stop()
        mongo.close()


def _mails_to(sinks: Sinks, address: str) -> list[Received]:
    return [m for m in sinks.outbox.of("email") if m.to == address]


def _link(mail: Received) -> str:
    found = LINK.search(mail.text)
    assert found, mail.text
    return found.group(1)


def _set_password(link: str, password: str = PASSWORD) -> httpx.Response:
    """What the person's browser does: open the page, then post the form with its CSRF cookie and value.
    (The cookie is Secure; httpx would not send it over http, so it is passed on by hand.)"""
    page = httpx.get(link, timeout=10)
    assert page.status_code == 200 and "ตั้งรหัสผ่าน" in page.text, page.text[:300]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    assert page.headers["referrer-policy"] == "no-referrer"
    cookie = page.headers["set-cookie"].split(";", 1)[0]
    return httpx.post(link, data={"password": password, "confirmation": password, "csrf": csrf.group(1)},
                      headers={"Cookie": cookie}, timeout=20)


def test_a_provisioned_officer_gets_a_thai_welcome_and_activates_once(
        stack: dict[str, Any], token_for: Callable[[str], str]) -> None:
    identity: RunningService = stack["identity"]
    sinks: Sinks = stack["sinks"]
    cid = _citizen_id()
    email = f"welcome-{cid}@example.go.th"
    csv = ("citizen_id,title,given_name,family_name,position,unit_code,role,email,phone\n"
           f"{cid},นางสาว,สมศรี,ใจดี,เจ้าพนักงานปกครอง,4701,registrar,{email},\n").encode()
    officer = {"Authorization": f"Bearer {token_for('district_officer:4701')}"}
    uploaded = httpx.post(f"{identity.url}/api/v1/staff/imports", headers=officer, timeout=30,
                          files={"file": ("staff.csv", csv, "text/csv")})
    assert uploaded.status_code == 200, uploaded.text
    user_id = uploaded.json()["created"][0]["id"]
    assert uploaded.json()["welcomed"] == [2]

    assert wait_until(lambda: bool(_mails_to(sinks, email)), timeout=60), "the welcome never reached SMTP"
    [welcome] = _mails_to(sinks, email)
    assert "เปิดใช้บัญชี" in welcome.subject and "ไม่ส่งรหัสผ่าน" in welcome.text and "Welcome" in welcome.subject
    first_link = _link(welcome)
    assert first_link in welcome.html and PASSWORD not in welcome.text
    stored = stack["db"]["activations"].find_one({"_id": user_id})
    assert stored is not None and first_link.rsplit("/", 1)[1] not in str(stored)  # kept hashed only
    assert stored["outbox"]["event_type"] == "StaffProvisioned"
    assert set(stored["outbox"]) == {"event_id", "event_type", "schema_version", "occurred_at", "account_id",
                                     "unit_code", "role", "reason"}  # no name, no e-mail, no citizen ID

    # An administrator resends: a second e-mail through notify, and the first link stops working.
    resent = httpx.post(f"{identity.url}/api/v1/staff/{user_id}/activation", headers=officer, timeout=20)
    assert resent.status_code == 202, resent.text
    assert wait_until(lambda: len(_mails_to(sinks, email)) == 2, timeout=60), "the resent welcome never arrived"
    second = _mails_to(sinks, email)[1]
    assert "ลิงก์เปิดใช้บัญชีใหม่" in second.subject
    second_link = _link(second)
    superseded = httpx.get(first_link, timeout=10)
    assert superseded.status_code == 404 and "ลิงก์นี้ใช้ไม่ได้" in superseded.text

    no_cookie = httpx.post(second_link, data={"password": PASSWORD, "confirmation": PASSWORD, "csrf": "x"},
                           timeout=10)
    assert no_cookie.status_code == 403  # CSRF: the form's value and cookie are required
    weak = _set_password(second_link, "สั้น")
    assert weak.status_code == 422 and "อย่างน้อย 12" in weak.text

    done = _set_password(second_link)
    assert done.status_code == 200 and "เปิดใช้บัญชีเรียบร้อย" in done.text, done.text[:500]
    admin: KeycloakAdmin = stack["admin"]
    user = admin.get_user(user_id)
    assert [c["type"] for c in admin.get_credentials(user_id)] == ["password"]
    assert user["requiredActions"] == ["CONFIGURE_TOTP"] and user["emailVerified"] is True

    used = httpx.get(second_link, timeout=10)
    assert used.status_code == 410 and "ลิงก์นี้ถูกใช้ไปแล้ว" in used.text
    again = httpx.post(f"{identity.url}/api/v1/staff/{user_id}/activation", headers=officer, timeout=20)
    assert again.status_code == 409 and again.json()["detail"]["code"] == "activation.already_active"

    audits = list(stack["db"]["audit_entries"].find({"target": user_id}))
    actions = sorted({(a["action"], a["outcome"]) for a in audits})
    assert ("staff.contact_read", "allowed") in actions and ("staff.activation_link", "allowed") in actions
    assert ("staff.activation_resend", "allowed") in actions and ("staff.activate", "allowed") in actions
    notify_reads = [a for a in audits if a["action"] == "staff.contact_read"]
    assert len(notify_reads) == 2 and all(a["actor_roles"] == [] for a in notify_reads)  # the service account
