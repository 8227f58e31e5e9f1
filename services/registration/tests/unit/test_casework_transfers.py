"""Casework's transfers against an in-memory repository: requesting, accepting and refusing a transfer, and
what the sending and receiving districts may do meanwhile."""


from datetime import date, timedelta

import pytest

from contracts import codec
from registration.cases.case import MediationSession, Status, Transfer
from registration.cases.errors import Conflict, Forbidden, Invalid, NotFound
from registration.casework.use_cases import Casework

from .casework_fakes import NOW, OFFICER, FakeCases, act, actor, claims, fields_of, make_case, refusal, to_mediation


@pytest.fixture
def repo() -> FakeCases:
    return FakeCases(make_case("case-1"), make_case("case-2"), make_case("case-other", district="4702"))


@pytest.fixture
def work(repo: FakeCases) -> Casework:
    return Casework(repo, clock=lambda: NOW)



def test_a_transfer_within_the_province(work: Casework, repo: FakeCases) -> None:
    act(work, "record_contact", method="home_visit", result="moved_away", contacted_on="2025-01-10")
    work.assign(["case-1"], "sub-officer-a", claims(OFFICER), actor(OFFICER))
    case = act(work, "request_transfer", to_district_code="๔๗๐๒", reason="ย้ายไปอยู่กับบุตร")
    pending = case.transfer
    assert pending is not None and (pending.to_province_code, pending.to_district_code, pending.state) == (
        "47", "4702", "pending")
    assert case.district_code == "4701" and case.next_action_due == date(2025, 1, 23)  # unchanged until accepted
    requested = repo.case_events()[-1]
    assert (requested["event_type"], requested["to_district_code"], requested["district_code"]) == (
        "CaseTransferRequested", "4702", "4701")

    assert refusal(Conflict, lambda: act(work, "request_transfer", to_district_code="4703")).code == (
        "transfer.already_pending")
    # The receiving district sees what it is asked to take; the sender cannot answer for it.
    assert work.open("case-1", claims("district_officer:4702"), actor("district_officer:4702")).id == "case-1"
    assert refusal(Forbidden, lambda: act(work, "accept_transfer")).code == "transfer.not_receiver"
    assert refusal(Forbidden, lambda: act(work, "accept_transfer", persona="province_officer:47")).code == (
        "transfer.not_receiver")
    assert refusal(NotFound, lambda: act(work, "accept_transfer", persona="district_officer:4801")).code == (
        "case.not_found")

    case = act(work, "accept_transfer", persona="district_officer:4702")
    assert (case.province_code, case.district_code, case.transfer, case.assigned_to) == ("47", "4702", None, None)
    assert case.debtor.address.district_code == "4701"  # the registered address is what the debtor said
    assert case.status is Status.CONTACTING and case.next_action_due == NOW.date() + timedelta(days=7)
    done = case.transfers[0]
    assert (done.state, done.from_district_code, done.decided_by) == ("accepted", "4701",
                                                                      "sub-district_officer:4702")
    moved = repo.case_events()[-1]
    assert (moved["event_type"], moved["district_code"], moved["from_district_code"], moved["revision"]) == (
        "CaseTransferred", "4702", "4701", case.revision)
    codec.validate_for_produce(moved)
    # It is the receiving district's case now.
    assert refusal(NotFound, lambda: act(work, "record_decision", decision="declined")).code == "case.not_found"
    assert act(work, "record_decision", persona="district_officer:4702", decision="declined").status is (
        Status.DECLINED)
    assert work.open("case-1", claims("province_officer:47"), actor("province_officer:47")).district_code == "4702"


def test_a_transfer_across_provinces_moves_the_provinces_view(work: Casework, repo: FakeCases) -> None:
    act(work, "request_transfer", to_district_code="4801")
    case = act(work, "accept_transfer", persona="district_officer:4801")
    assert (case.province_code, case.district_code) == ("48", "4801")
    assert work.open("case-1", claims("province_officer:48"), actor("province_officer:48")).id == "case-1"
    refusal(NotFound, lambda: work.open("case-1", claims("province_officer:47"), actor("province_officer:47")))
    event = repo.case_events()[-1]
    assert (event["province_code"], event["from_province_code"]) == ("48", "47")


def test_a_refused_transfer_stays_and_is_kept_in_the_history(work: Casework, repo: FakeCases) -> None:
    act(work, "request_transfer", to_district_code="4702")
    assert fields_of(refusal(Invalid, lambda: act(work, "refuse_transfer", persona="district_officer:4702",
                                                  reason="dunno"))) == {"reason": "field.choice"}
    case = act(work, "refuse_transfer", persona="district_officer:4702", reason="not_in_area",
               note="ไม่พบลูกหนี้ตามที่อยู่ใหม่")
    assert (case.district_code, case.transfer) == ("4701", None)
    assert (case.transfers[0].state, case.transfers[0].refusal_reason) == ("refused", "not_in_area")
    event = repo.case_events()[-1]
    assert (event["event_type"], event["reason"], event["district_code"]) == ("CaseTransferRefused",
                                                                              "not_in_area", "4701")
    # Nothing is pending any more: those who can see the case are told so, others learn nothing.
    assert refusal(Conflict, lambda: act(work, "accept_transfer")).code == "transfer.none_pending"
    assert refusal(NotFound, lambda: act(work, "accept_transfer", persona="district_officer:4702")).code == (
        "case.not_found")


@pytest.mark.parametrize(("code", "expected"), [("4701", "district.same"), ("4799", "district.unknown"),
                                                 ("", "field.required")])
def test_a_transfer_needs_another_real_district(work: Casework, code: str, expected: str) -> None:
    assert fields_of(refusal(Invalid, lambda: act(work, "request_transfer", to_district_code=code))) == {
        "to_district_code": expected}


def test_no_transfer_while_a_session_is_scheduled(work: Casework) -> None:
    to_mediation(work)
    error = refusal(Conflict, lambda: act(work, "request_transfer", to_district_code="4702"))
    assert error.code == "casework.transition_refused" and "ยกเลิกนัดก่อน" in error.th


def test_a_receiving_district_cannot_accept_a_case_with_a_session_scheduled(work: Casework, repo: FakeCases) -> None:
    pending = Transfer("47", "4702", NOW, "sub-district_officer:4701")
    session = MediationSession(1, NOW, "อำเภอ", "ปลัดอำเภอ")
    repo.stored["case-1"] = make_case(status=Status.IN_MEDIATION, transfer=pending, sessions=(session,))
    error = refusal(Conflict, lambda: act(work, "accept_transfer", persona="district_officer:4702"))
    assert error.code == "casework.transition_refused"
    assert act(work, "refuse_transfer", persona="district_officer:4702", reason="other").transfer is None
