"""Addresses at send time: the debtor's phone from registration's contact API (as E.164), with notify's token;
a unit's mailbox from the configured pattern; an outage is a temporary failure, an unknown case none."""

from __future__ import annotations

import httpx
import pytest

from notify.channels.port import TemporaryFailure
from notify.contacts import ServiceDirectory
from notify.messages.model import Channel


class Token:
    def token(self) -> str:
        return "svc-token"


def directory(handler: httpx.MockTransport) -> ServiceDirectory:
    return ServiceDirectory("http://registration", Token(), "saraban.{unit}@dopa.go.th", transport=handler)


def test_a_debtors_phone_comes_from_registration_with_notifys_token() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"case_id": "c-1", "district_code": "4701", "phone": "081-234-5678",
                                         "line_user_id": None})

    contacts = directory(httpx.MockTransport(answer))
    assert contacts.address("debtor:c-1", Channel.SMS) == "+66812345678"
    assert contacts.address("debtor:c-1", Channel.LINE) is None
    assert seen[0].url == "http://registration/api/v1/contacts/cases/c-1"
    assert seen[0].headers["authorization"] == "Bearer svc-token"


def test_units_use_the_mailbox_pattern_without_a_lookup() -> None:
    contacts = directory(httpx.MockTransport(lambda r: pytest.fail("no lookup for a unit")))
    assert contacts.address("unit:4701", Channel.EMAIL) == "saraban.4701@dopa.go.th"
    assert contacts.address("unit:4701", Channel.SMS) is None


def test_unknown_cases_invalid_phones_and_outages() -> None:
    assert directory(httpx.MockTransport(lambda r: httpx.Response(404))).address("debtor:c-9", Channel.SMS) is None
    bad = httpx.MockTransport(lambda r: httpx.Response(200, json={"phone": "12345", "line_user_id": None}))
    assert directory(bad).address("debtor:c-9", Channel.SMS) is None
    with pytest.raises(TemporaryFailure, match="503"):
        directory(httpx.MockTransport(lambda r: httpx.Response(503))).address("debtor:c-9", Channel.SMS)
