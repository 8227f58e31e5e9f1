"""Casework's access by role and unit (working and opening a case), and the bulk actions (assignment,
letters sent) with the API's choices."""


import json
from dataclasses import replace
from datetime import date
from typing import get_args

import pytest

from contracts.errors import ApiError
from registration.cases.case import Case, Status
from registration.cases.errors import Forbidden, Invalid, NotFound
from registration.casework import schemas, vocabulary
from registration.casework.casework_rules import MAX_BULK
from registration.casework.use_cases import Casework

from .casework_fakes import NOW, OFFICER, FakeCases, act, actor, claims, fields_of, make_case, refusal


@pytest.fixture
def repo() -> FakeCases:
    return FakeCases(make_case("case-1"), make_case("case-2"), make_case("case-other", district="4702"))


@pytest.fixture
def work(repo: FakeCases) -> Casework:
    return Casework(repo, clock=lambda: NOW)


# ---- access by role and unit ----

PERSONAS = {
    "district_officer:4701": None, "district_officer:4702": NotFound, "province_officer:47": Forbidden,
    "province_officer:48": NotFound, "dopa_admin": Forbidden, "registrar:4701": NotFound, "registrar:47": NotFound,
    "auditor": NotFound, "citizen:1101700230708": NotFound,
}


@pytest.mark.parametrize(("persona", "problem"), PERSONAS.items())
def test_only_the_cases_district_officers_work_it(work: Casework, repo: FakeCases, persona: str,
                                                  problem: type[ApiError] | None) -> None:
    def record() -> Case:
        return act(work, "record_contact", persona=persona, method="phone", result="reached",
                   contacted_on="2025-01-10")

    if problem is None:
        assert record().revision == 2
        assert repo.audits()[-1]["outcome"] == "allowed"
        return
    error = refusal(problem, record)
    assert error.code == ("access.read_only" if problem is Forbidden else "case.not_found")
    if problem is NotFound:
        assert "สมศรี" not in error.th and "4701" not in error.th
    assert repo.find("case-1").revision == 1  # type: ignore[union-attr]
    audit = repo.audits()[-1]
    assert (audit["action"], audit["outcome"], audit["case_id"], audit["actor_sub"]) == (
        "case.update", "denied", "case-1", f"sub-{persona}")


@pytest.mark.parametrize("persona", PERSONAS)
def test_opening_a_case_is_audited_and_limited_to_its_overseers(work: Casework, repo: FakeCases,
                                                                persona: str) -> None:
    readers = {"district_officer:4701", "province_officer:47", "dopa_admin"}
    if persona in readers:
        assert work.open("case-1", claims(persona), actor(persona)).id == "case-1"
    else:
        refusal(NotFound, lambda: work.open("case-1", claims(persona), actor(persona)))
    audit = repo.audits()[-1]
    assert (audit["action"], audit["outcome"], audit["case_id"]) == (
        "case.read", "allowed" if persona in readers else "denied", "case-1")
    refusal(NotFound, lambda: work.open("no-such-case", claims(persona), actor(persona)))
    assert repo.audits()[-1]["case_id"] is None and repo.audits()[-1]["outcome"] == "denied"


# ---- transfers ----


# ---- bulk: assignment and letters ----

def test_assignment_applies_case_by_case_and_reports_failures(work: Casework, repo: FakeCases) -> None:
    theirs = replace(make_case("case-2"), revision=2, decision="declined", status=Status.DECLINED)

    def someone_else_saves(_: Case) -> None:
        repo.stored["case-2"] = theirs

    repo.before_change = someone_else_saves  # case-2 changes while being assigned: re-read and assigned anyway
    result = work.assign(["case-1", "case-2", "case-other", "missing", "case-1"], "sub-officer-a", claims(OFFICER),
                         actor(OFFICER))
    assert [c.id for c in result] == ["case-1", "case-2"]
    assert all(c.assigned_to == "sub-officer-a" for c in result)
    assert repo.find("case-2").decision == "declined"  # type: ignore[union-attr]  # theirs is kept
    assert {k: v.code for k, v in result.failed.items()} == {"case-other": "case.not_found",
                                                            "missing": "case.not_found"}
    assigned = [e for e in repo.case_events() if e["event_type"] == "CaseAssigned"]
    assert [e["assigned"] for e in assigned] == [True, True] and "sub-officer-a" not in json.dumps(assigned)

    again = work.assign(["case-1"], "sub-officer-a", claims(OFFICER), actor(OFFICER))
    assert list(again) == [] and again.unchanged == ["case-1"]
    unassigned = work.assign(["case-1"], None, claims(OFFICER), actor(OFFICER))
    assert unassigned[0].assigned_to is None and repo.case_events()[-1]["assigned"] is False


@pytest.mark.parametrize("persona", ["province_officer:47", "dopa_admin", "registrar:4701", "auditor",
                                     "citizen:1101700230708"])
def test_only_district_officers_may_ask_for_bulk_actions(work: Casework, repo: FakeCases, persona: str) -> None:
    for bulk in (lambda: work.assign(["case-1"], "sub-x", claims(persona), actor(persona)),
                 lambda: work.record_letters_sent(["case-1"], {}, "2025-01-15", claims(persona), actor(persona))):
        assert refusal(Forbidden, bulk).code == "access.no_casework"
        assert (repo.audits()[-1]["outcome"], repo.audits()[-1]["case_id"]) == ("denied", None)
    assert repo.find("case-1").revision == 1  # type: ignore[union-attr]


def test_the_apis_choices_are_the_vocabularys() -> None:
    assert get_args(schemas.ContactMethod) == tuple(vocabulary.CONTACT_METHOD)
    assert get_args(schemas.ContactResult) == tuple(vocabulary.CONTACT_RESULT)
    assert get_args(schemas.Decision) == tuple(vocabulary.DECISION)
    assert get_args(schemas.MediationResult) == tuple(vocabulary.MEDIATION_RESULT)
    assert get_args(schemas.ReferralTo) == tuple(vocabulary.REFERRAL)
    assert get_args(schemas.ReferralReason) == tuple(vocabulary.REFERRAL_REASON)
    assert get_args(schemas.CloseReason) == vocabulary.CLOSE_REASONS
    assert get_args(schemas.TransferRefusal) == tuple(vocabulary.TRANSFER_REFUSAL)


def test_bulk_actions_need_a_sensible_selection(work: Casework) -> None:
    for ids in ([], [f"c{i}" for i in range(MAX_BULK + 1)]):
        error = refusal(Invalid, lambda ids=ids: work.assign(ids, "sub-x", claims(OFFICER), actor(OFFICER)))
        assert set(fields_of(error)) == {"case_ids"}
    assert fields_of(refusal(Invalid, lambda: work.assign(["case-1"], " x", claims(OFFICER), actor(OFFICER)))) == {
        "officer_sub": "officer.format"}


def test_letters_sent_are_recorded_on_each_case(work: Casework, repo: FakeCases) -> None:
    act(work, "close", "case-2", reason="duplicate")
    result = work.record_letters_sent(["case-1", "case-2"], {"case-1": "มท 0310.1/77"}, "2025-01-15",
                                      claims(OFFICER), actor(OFFICER))
    assert [c.id for c in result] == ["case-1"]
    contact = result[0].contacts[-1]
    assert (contact.method, contact.result, contact.letter_no, contact.contacted_on) == (
        "official_letter", "letter_sent", "มท 0310.1/77", date(2025, 1, 15))
    assert result[0].status is Status.CONTACTING
    assert result.failed["case-2"].code == "casework.transition_refused"
    event = [e for e in repo.case_events() if e["event_type"] == "CaseContacted"][-1]
    assert (event["letter_no"], event["attempt_no"], event["contacted_on"]) == ("มท 0310.1/77", 1, "2025-01-15")
    future = work.record_letters_sent(["case-1"], {}, "2025-02-01", claims(OFFICER), actor(OFFICER))
    assert fields_of(future.failed["case-1"]) == {"contacted_on": "date.future"}
