"""The figures export (reconciliation, issue 10): each line is what the case's latest event carries (unit,
revision, status, facts) plus its accepted transfers, nobody's identity; a head and an end line frame it; only
the reporting service's account and DOPA administrators may read it, refused before anything is read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts.claims import Claims, Role
from registration.cases.case import Case
from registration.cases.errors import Forbidden
from registration.casework.use_cases import Casework
from registration.figures.use_cases import FiguresExport

from .casework_fakes import NOW, FakeCases, actor, claims, make_case

SERVICE = Claims(sub="service-account-debt-reporting", client_id="debt-reporting")
AS_OF = datetime(2025, 1, 16, 3, 0, tzinfo=UTC)


class Pages:
    """Cases in pages of ``size``, counting how many pages were read."""

    def __init__(self, cases: list[Case], size: int = 2) -> None:
        self.cases, self.size, self.read = cases, size, 0

    def pages(self) -> Iterator[list[Case]]:
        for start in range(0, len(self.cases), self.size):
            self.read += 1
            yield self.cases[start:start + self.size]


def export(cases: list[Case], who: Claims = SERVICE, size: int = 2) -> list[dict[str, Any]]:
    return [json.loads(line) for line in FiguresExport(Pages(cases, size), now=lambda: AS_OF).lines(who)]


def act(work: Casework, name: str, persona: str = "district_officer:4701", case_id: str = "case-1",
        **kwargs: Any) -> Case:
    found = work.cases.find(case_id)
    assert found is not None
    method = getattr(work, name)
    result: Case = method(case_id, found.revision, claims(persona), actor(persona), **kwargs)
    return result


def test_each_line_is_what_the_latest_case_event_carries() -> None:
    repo = FakeCases(make_case("case-1", excessive=True, threatened=True), make_case("case-2", district="4702"))
    work = Casework(repo, clock=lambda: NOW)
    act(work, "record_contact", method="phone", result="reached", contacted_on="2025-01-10")
    act(work, "record_decision", decision="wants_mediation")
    act(work, "refer", to="police", reason="excessive_interest")
    act(work, "request_transfer", to_district_code="4801")
    act(work, "accept_transfer", persona="district_officer:4801")
    act(work, "request_transfer", persona="district_officer:4801", to_district_code="4802")
    act(work, "refuse_transfer", persona="district_officer:4802", reason="not_in_area")
    last = repo.case_events()[-1]

    head, line, other, end = export([repo.stored["case-1"], repo.stored["case-2"]], size=1)

    assert head == {"kind": "export", "version": 1, "as_of": AS_OF.isoformat()}
    assert end == {"kind": "end", "cases": 2}
    for name in ("case_id", "revision", "province_code", "district_code", "status", "facts"):
        assert line[name] == last[name], name
    assert (line["province_code"], line["district_code"], line["revision"]) == ("48", "4801", 8)
    assert line["facts"]["referrals"] == ["police"] and line["facts"]["excessive_interest"] is True
    # The refused transfer to 4802 moved nothing and is not listed.
    assert line["transfers"] == [{"from_province_code": "47", "from_district_code": "4701",
                                  "to_province_code": "48", "to_district_code": "4801"}]
    assert (other["case_id"], other["district_code"], other["revision"], other["transfers"]) == (
        "case-2", "4702", 1, [])
    assert other["facts"]["channel"] == "self_online" and other["facts"]["outstanding_satang"] == 26_000_00


def test_no_line_names_a_person() -> None:
    case = make_case("case-1")
    text = json.dumps(export([case]), ensure_ascii=False)
    for personal in (case.citizen_id, case.receipt_no, "สมศรี", "ใจดี", "0812345678", "เจ๊หน่อย", "0891112222",
                     "99 หมู่ 3", "470101"):
        assert personal not in text


def test_every_case_is_read_once_across_pages() -> None:
    cases = [make_case(f"case-{n}") for n in range(5)]
    source = Pages(cases, size=2)
    lines = [json.loads(x) for x in FiguresExport(source).lines(SERVICE)]
    assert [x["case_id"] for x in lines[1:-1]] == [f"case-{n}" for n in range(5)]
    assert lines[-1] == {"kind": "end", "cases": 5} and source.read == 3
    assert export([])[1:] == [{"kind": "end", "cases": 0}]


@pytest.mark.parametrize("who", [
    claims("district_officer:4701"), claims("province_officer:47"), claims("registrar:4701"), claims("auditor"),
    claims("citizen:1101700230708"),
    Claims(sub="service-account-debt-notify", client_id="debt-notify"),  # another service's account
    Claims(sub="someone", client_id="debt-staff", roles=frozenset({Role.PROVINCE_OFFICER}), unit_code="47"),
])
def test_only_reporting_and_dopa_may_read_it_and_refusal_reads_nothing(who: Claims) -> None:
    source = Pages([make_case("case-1")])
    with pytest.raises(Forbidden) as refused:
        FiguresExport(source).lines(who)
    assert refused.value.code == "figures.forbidden" and source.read == 0


def test_dopa_administrators_may_read_it() -> None:
    assert export([make_case("case-1")], who=claims("dopa_admin"))[-1] == {"kind": "end", "cases": 1}
