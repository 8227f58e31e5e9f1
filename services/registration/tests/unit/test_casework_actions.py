"""Casework's case actions against an in-memory repository: the whole path of a case, conflicts, refused
transitions and validation, and the events and audit records each step leaves."""


import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from contracts import codec
from registration.cases.case import Case, Status
from registration.cases.errors import Conflict, Invalid, NotFound
from registration.casework.use_cases import Casework

from .casework_fakes import NOW, FakeCases, act, fields_of, make_case, refusal, to_mediation


@pytest.fixture
def repo() -> FakeCases:
    return FakeCases(make_case("case-1"), make_case("case-2"), make_case("case-other", district="4702"))


@pytest.fixture
def work(repo: FakeCases) -> Casework:
    return Casework(repo, clock=lambda: NOW)


# ---- the whole path, and what it leaves behind ----

def test_a_case_from_first_contact_to_closing_and_reopening(work: Casework, repo: FakeCases) -> None:
    case = act(work, "record_contact", method="official_letter", result="letter_sent", contacted_on="06/01/2568",
               letter_no="มท 0310.1/123")
    assert (case.status, case.revision, case.next_action_due) == (Status.CONTACTING, 2, date(2025, 1, 23))
    assert case.contacts[0].letter_no == "มท 0310.1/123" and case.contacts[0].contacted_on == date(2025, 1, 6)
    to_mediation(work)
    case = act(work, "conclude_mediation", session_no=1, debtor_present=True, creditor_present=True,
               result="agreement", debt_before_satang="26,000", debt_after_satang="๒๐,๐๐๐",
               instalment_satang="1,000", interest_bp_per_year="12", terms="ผ่อนเดือนละ 1,000 บาท 20 งวด")
    assert case.status is Status.RESOLVED and case.next_action_due == date(2025, 2, 15)
    held = case.sessions[0]
    assert (held.state, held.debt_before_satang, held.debt_after_satang, held.instalment_satang,
            held.interest_bp_per_year) == ("held", 2_600_000, 2_000_000, 100_000, 1200)
    case = act(work, "refer", to="gsb", reason="refinancing", note="ขอสินเชื่อชำระหนี้ที่ตกลง")
    assert case.status is Status.RESOLVED  # support after an agreement keeps it resolved
    case = act(work, "close", reason="resolved")
    assert (case.status, case.closure_reason, case.next_action_due) == (Status.CLOSED, "resolved", None)
    case = act(work, "reopen", note="เจ้าหนี้ไม่ทำตามข้อตกลง")
    assert (case.status, case.closure_reason, case.revision) == (Status.WANTS_MEDIATION, None, 9)

    kinds = [t.kind for t in case.timeline]
    assert kinds == ["CaseContacted", "CaseContacted", "MediationDecisionRecorded", "MediationScheduled",
                     "MediationConcluded", "CaseReferred", "CaseClosed", "CaseReopened"]
    assert all(t.by == "sub-district_officer:4701" and t.by_unit == "4701" and t.at == NOW for t in case.timeline)
    assert case.timeline[-1].details == {"previous_reason": "resolved", "note": "เจ้าหนี้ไม่ทำตามข้อตกลง"}

    events = repo.case_events()
    assert [e["event_type"] for e in events] == kinds
    assert [e["revision"] for e in events] == list(range(2, 10))
    for event in events:
        codec.validate_for_produce(event)
    concluded = events[4]
    assert (concluded["result"], concluded["debt_before_satang"], concluded["debt_after_satang"]) == (
        "agreement", 2_600_000, 2_000_000)
    assert events[4]["facts"]["mediation_result"] == "agreement" and events[6]["facts"]["closure_reason"] == "resolved"
    assert events[7]["facts"]["closure_reason"] is None and events[7]["status"] == "wants_mediation"
    text = json.dumps(events, ensure_ascii=False)
    for personal in ("1101700230708", "สมศรี", "เจ๊หน่อย", "0812345678", "ผ่อนเดือนละ", "เจ้าหนี้ไม่ทำตาม", "ปลัดอำเภอ"):
        assert personal not in text  # PDPA: codes and amounts only; notes, names and places stay in the case

    audits = repo.audits()
    assert [a["action"] for a in audits] == ["case.update"] * 8
    assert all(a["outcome"] == "allowed" and a["case_id"] == "case-1" and a["actor_unit_code"] == "4701"
               for a in audits)


def test_absent_parties_and_cancelled_sessions_lead_to_another_session(work: Casework, repo: FakeCases) -> None:
    to_mediation(work)
    case = act(work, "conclude_mediation", session_no=1, debtor_present=True, creditor_present=False,
               result="creditor_absent")
    assert case.status is Status.WANTS_MEDIATION
    assert case.sessions[0].debt_before_satang == 2_600_000  # the registered outstanding when not stated
    case = act(work, "schedule_mediation", scheduled_at="2568-01-20 13:00", place="ศาลาประชาคม", mediator="กำนัน")
    assert (case.status, case.sessions[1].no, case.next_action_due) == (Status.IN_MEDIATION, 2, date(2025, 1, 20))
    case = act(work, "reschedule_mediation", session_no=2, scheduled_at="2025-01-22T10:00")
    assert case.sessions[1].place == "ศาลาประชาคม" and case.next_action_due == date(2025, 1, 22)
    case = act(work, "cancel_mediation", session_no=2, note="ลูกหนี้ป่วย")
    assert case.status is Status.WANTS_MEDIATION and case.sessions[1].state == "cancelled"
    changes = [(e["session_no"], e["change"]) for e in repo.case_events() if e["event_type"] == "MediationScheduled"]
    assert changes == [(1, "scheduled"), (2, "scheduled"), (2, "rescheduled"), (2, "cancelled")]
    case = act(work, "schedule_mediation", scheduled_at="2025-01-16T09:00", place="อำเภอ", mediator="ปลัดอำเภอ")
    case = act(work, "conclude_mediation", session_no=3, debtor_present=True, creditor_present=True,
               result="no_agreement", debt_before_satang=2_600_000)
    assert case.status is Status.NOT_RESOLVED and case.facts()["mediation_result"] == "no_agreement"
    assert case.facts()["debt_after_satang"] is None


def test_a_referral_to_the_police_is_possible_but_not_forced(repo: FakeCases) -> None:
    repo.stored["flagged"] = make_case("flagged", excessive=True, threatened=True)
    work = Casework(repo, clock=lambda: NOW)
    case = act(work, "refer", "flagged", to="police", reason="excessive_interest")
    assert case.status is Status.REFERRED and case.facts()["referrals"] == ["police"]
    assert act(work, "close", "case-2", reason="duplicate").status is Status.CLOSED


def test_withdrawal_closes_as_withdrawn_and_reopens_to_contacting(work: Casework, repo: FakeCases) -> None:
    case = act(work, "withdraw", note="ชำระหนี้เองแล้ว")
    assert (case.status, case.closure_reason) == (Status.WITHDRAWN, "withdrawn")
    assert repo.case_events()[-1]["event_type"] == "CaseClosed" and repo.case_events()[-1]["reason"] == "withdrawn"
    assert act(work, "reopen", note="ติดต่อกลับมาใหม่").status is Status.CONTACTING


# ---- conflicts ----

def test_a_stale_revision_is_refused_and_nothing_is_overwritten(work: Casework, repo: FakeCases) -> None:
    first = act(work, "record_contact", method="phone", result="reached", contacted_on="2025-01-10")
    error = refusal(Conflict, lambda: act(work, "record_decision", revision=1, decision="declined"))
    assert error.code == "case.changed_meanwhile" and "ก่อนท่าน" in error.th and "ยังอยู่ครบ" in error.th
    assert error.extra["revision"] == 2
    assert repo.find("case-1") == first
    assert repo.audits()[-1]["outcome"] == "denied" and repo.audits()[-1]["case_id"] == "case-1"


def test_a_change_saved_between_reading_and_writing_is_a_conflict(work: Casework, repo: FakeCases) -> None:
    theirs = replace(make_case("case-1"), revision=2, assigned_to="someone")

    def someone_else_saves(_: Case) -> None:
        repo.stored["case-1"] = theirs

    repo.before_change = someone_else_saves
    error = refusal(Conflict, lambda: act(work, "record_decision", revision=1, decision="declined"))
    assert error.code == "case.changed_meanwhile" and error.extra["revision"] == 2
    assert repo.find("case-1") == theirs and repo.case_events() == []


def test_a_refused_transition_is_a_conflict_explained_in_thai(work: Casework, repo: FakeCases) -> None:
    error = refusal(Conflict, lambda: act(work, "close", reason="resolved"))
    assert error.code == "casework.transition_refused"
    assert error.th.startswith("ปิดเรื่องด้วยเหตุผล “ไกล่เกลี่ยสำเร็จ” ไม่ได้ เพราะเรื่องนี้อยู่ในสถานะ “ลงทะเบียนใหม่")
    assert error.extra == {"status": "new", "action": "close.resolved"}
    assert repo.audits()[-1]["outcome"] == "denied" and repo.find("case-1").revision == 1  # type: ignore[union-attr]


# ---- validation ----

@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"contacted_on": "2025-01-17"}, {"contacted_on": "date.future"}),
    ({"contacted_on": "2025-01-05"}, {"contacted_on": "date.before_registration"}),
    ({"contacted_on": "31/02/2568"}, {"contacted_on": "date.invalid"}),
    ({"method": "carrier_pigeon"}, {"method": "field.choice"}),
    ({"result": "letter_sent"}, {"result": "contact.letter_needs_letter"}),
    ({"letter_no": "มท 1/1"}, {"letter_no": "contact.letter_no_needs_letter"}),
    ({"note": "ก" * 501}, {"note": "text.too_long"}),
    ({"note": "โทร\u200bแล้ว"}, {"note": "text.invisible"}),
])
def test_contact_input_is_checked(work: Casework, kwargs: dict[str, Any], expected: dict[str, str]) -> None:
    values = {"method": "phone", "result": "reached", "contacted_on": "2025-01-10", **kwargs}
    assert fields_of(refusal(Invalid, lambda: act(work, "record_contact", **values))) == expected


def test_an_unknown_result_or_decision_is_a_field_error(work: Casework) -> None:
    assert fields_of(refusal(Invalid, lambda: act(work, "record_contact", method="phone", result="maybe",
                                                  contacted_on="2025-01-10"))) == {"result": "field.choice"}
    assert fields_of(refusal(Invalid, lambda: act(work, "record_decision", decision="perhaps"))) == {
        "decision": "field.choice"}


def test_unreachable_needs_repeated_attempts(work: Casework) -> None:
    act(work, "record_contact", method="phone", result="not_reached", contacted_on="2025-01-10")
    error = refusal(Invalid, lambda: act(work, "record_decision", decision="unreachable"))
    assert fields_of(error) == {"decision": "decision.too_few_attempts"}
    act(work, "record_contact", method="home_visit", result="moved_away", contacted_on="2025-01-11")
    assert act(work, "record_decision", decision="unreachable").status is Status.UNREACHABLE


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"debt_after_satang": "30,000"}, {"debt_after": "debt_after.above_before"}),
    ({"interest_bp_per_year": "15.01"}, {"interest_per_year": "interest.above_legal_cap"}),
    ({"interest_bp_per_year": 2000}, {"interest_per_year": "interest.above_legal_cap"}),
    ({"instalment_satang": "25,000"}, {"instalment": "instalment.above_debt"}),
    ({"debt_after_satang": None}, {"debt_after": "field.required"}),
    ({"debt_before_satang": "-5"}, {"debt_before": "money.negative"}),
    ({"debt_before_satang": "12.345"}, {"debt_before": "money.precision"}),
    ({"creditor_present": False}, {"result": "mediation.both_present"}),
    ({"result": "no_agreement"}, {"debt_after": "mediation.only_with_agreement",
                                  "instalment": "mediation.only_with_agreement"}),
    ({"result": "debtor_absent", "debt_after_satang": None, "instalment_satang": None},
     {"debtor_present": "mediation.debtor_present"}),
])
def test_a_mediation_result_is_checked(work: Casework, kwargs: dict[str, Any], expected: dict[str, str]) -> None:
    to_mediation(work)
    values = {"session_no": 1, "debtor_present": True, "creditor_present": True, "result": "agreement",
              "debt_before_satang": "26,000", "debt_after_satang": "20,000", "instalment_satang": "1,000", **kwargs}
    assert fields_of(refusal(Invalid, lambda: act(work, "conclude_mediation", **values))) == expected


def test_sessions_are_concluded_once_and_not_before_their_day(work: Casework) -> None:
    to_mediation(work, when="2025-01-18T09:00")
    values = {"debtor_present": True, "creditor_present": True, "result": "no_agreement",
              "debt_before_satang": "26,000"}
    assert fields_of(refusal(Invalid, lambda: act(work, "conclude_mediation", session_no=1, **values))) == {
        "session_no": "session.not_yet_held"}
    assert refusal(NotFound, lambda: act(work, "conclude_mediation", session_no=7, **values)).code == (
        "session.not_found")
    act(work, "cancel_mediation", session_no=1)
    act(work, "schedule_mediation", scheduled_at="2025-01-16T08:00", place="อำเภอ", mediator="ปลัดอำเภอ")
    assert refusal(Conflict, lambda: act(work, "reschedule_mediation", session_no=1,
                                         scheduled_at="2025-01-20T08:00")).code == "session.not_scheduled"


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"scheduled_at": "2025-01-01T09:00"}, {"scheduled_at": "datetime.before_registration"}),
    ({"scheduled_at": "2026-02-01T09:00"}, {"scheduled_at": "datetime.too_far"}),
    ({"scheduled_at": "พรุ่งนี้"}, {"scheduled_at": "datetime.format"}),
    ({"place": " ", "mediator": ""}, {"place": "field.required", "mediator": "field.required"}),
    ({"place": "ก" * 201}, {"place": "text.too_long"}),
])
def test_a_session_is_checked(work: Casework, kwargs: dict[str, Any], expected: dict[str, str]) -> None:
    act(work, "record_decision", decision="wants_mediation")
    values = {"scheduled_at": "2025-01-20T09:00", "place": "อำเภอ", "mediator": "ปลัดอำเภอ", **kwargs}
    assert fields_of(refusal(Invalid, lambda: act(work, "schedule_mediation", **values))) == expected


def test_closing_and_reopening_need_their_reasons(work: Casework) -> None:
    assert fields_of(refusal(Invalid, lambda: act(work, "close", reason="withdrawn"))) == {"reason": "close.withdrawn"}
    assert fields_of(refusal(Invalid, lambda: act(work, "close", reason="other"))) == {"note": "field.required"}
    assert fields_of(refusal(Invalid, lambda: act(work, "close", reason="bored"))) == {"reason": "field.choice"}
    act(work, "close", reason="other", note="ลงทะเบียนผิดคน")
    assert fields_of(refusal(Invalid, lambda: act(work, "reopen", note=" "))) == {"note": "field.required"}
    assert fields_of(refusal(Invalid, lambda: act(work, "refer", "case-2", to="army", reason="threats"))) == {
        "to": "field.choice"}
