"""Registration in a real uvicorn server on the dev stack, and request bodies that pass validation."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.database import Database

from infra.dev.browser import DevBrowser
from infra.dev.testing import KafkaUnderTest, KeycloakStack, RunningService, serve, stop_service
from registration.kernel.thai import citizen_id_check_digit

from .pages_support import running_site

Body = dict[str, Any]


def citizen_id(n: int) -> str:
    """A valid 13-digit citizen ID, different for each ``n``."""
    first12 = f"3{n:011d}"
    return first12 + str(citizen_id_check_digit(first12))


BASE: Body = {
    "channel": "self_online",
    "debtor": {
        "title": "นาง",
        "given_name": "สมศรี",
        "family_name": "ใจดี",
        "birth_date": "12/03/2520",
        "phone": "๐๘๑-๒๓๔-๕๖๗๘",
        "address": {"line": "99 หมู่ 3", "subdistrict_code": "470101", "district_code": "4701",
                    "province_code": "47", "postal_code": "47000"},
        "occupation": "ค้าขาย",
        "monthly_income": "9,000",
    },
    "creditors": [
        {"kind": "person", "name": "เจ๊หน่อย", "phone": "0891112222", "address_or_area": "ตลาดสด",
         "how_met": "acquaintance",
         "debts": [{"principal": "20,000", "start_date": "2024-01-15", "interest_rate": "20",
                    "interest_period": "month", "instalment": "1,000", "instalment_frequency": "daily",
                    "repaid": "5,000", "outstanding": "26,000.50", "collateral": ["id_card", "atm_card"],
                    "threatened": True}]},
        {"kind": "unknown", "debts": [{"principal": 5000, "outstanding": 5000}]},
    ],
    "help_wanted": ["mediation"],
    "privacy_acknowledged": True,
}


@pytest.fixture
def body() -> Callable[..., Body]:
    """``body(channel="desk", citizen="...")``: a fresh, valid registration body."""

    def make(channel: str = "self_online", citizen: str | None = None, **changes: Any) -> Body:
        b = copy.deepcopy(BASE)
        b["channel"] = channel
        if citizen is not None:
            b["debtor"]["citizen_id"] = citizen
        if channel == "paper":
            b.update(paper_form_no="P-0001", paper_received_on="2024-02-01")
        b.update(changes)
        return b

    return make


@pytest.fixture
def registration(kafka: KafkaUnderTest, mongodb_uri: str, issuer_url: str, db_name: str) -> Iterator[RunningService]:
    from registration.main import create_app
    from registration.settings import Settings

    settings = Settings(kafka_bootstrap_servers=kafka.bootstrap, mongodb_uri=mongodb_uri,
                        oidc_issuer_url=issuer_url, mongodb_database=f"reg_{db_name}")
    service = serve(create_app(settings))
    yield service
    stop_service(service)


@pytest.fixture
def registration_db(registration: RunningService, mongodb_uri: str, db_name: str) -> Iterator[Database[Any]]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    yield client[f"reg_{db_name}"]
    client.close()


@pytest.fixture(scope="module")
def site(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack,
         identity: RunningService) -> Iterator[RunningService]:
    """The pages, with identity running: Keycloak sends sign-ins on to its ThaiD simulator."""
    with running_site(kafka, mongodb_uri, keycloak_server) as service:
        yield service


@pytest.fixture
def browser(site: RunningService) -> Iterator[DevBrowser]:
    with DevBrowser(site.url) as client:
        yield client
