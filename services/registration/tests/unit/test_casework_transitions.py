"""The casework transition table, checked over the whole Status × Action product against the rules written
out again below as a matrix a person can read: every allowed move goes where the rules say and emits the
right event; every other move is refused with a Thai (then English) explanation that names the status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contracts import registry
from registration.cases.case import MediationSession, Status
from registration.casework import transitions
from registration.casework.transitions import TRANSITIONS, Action, Move, TransitionRefused
from registration.casework.vocabulary import STATUS

from .casework_fakes import NOW, make_case

COLUMNS = {"new": Status.NEW, "cont": Status.CONTACTING, "want": Status.WANTS_MEDIATION, "decl": Status.DECLINED,
           "unre": Status.UNREACHABLE, "inmd": Status.IN_MEDIATION, "resd": Status.RESOLVED,
           "notr": Status.NOT_RESOLVED, "refd": Status.REFERRED, "wdrn": Status.WITHDRAWN, "clsd": Status.CLOSED}
# One row per action, one column per status it starts from: "-" refused, "=" allowed and the status stays,
# otherwise the status it moves to. The last column is the event the action emits.
MATRIX = """
action                    new  cont want decl unre inmd resd notr refd wdrn clsd  event
contact.reached           cont =    =    =    cont =    =    =    =    -    -     CaseContacted
contact.not_reached       cont =    =    =    =    =    =    =    =    -    -     CaseContacted
contact.wrong_number      cont =    =    =    =    =    =    =    =    -    -     CaseContacted
contact.moved_away        cont =    =    =    =    =    =    =    =    -    -     CaseContacted
contact.letter_sent       cont =    =    =    =    =    =    =    =    -    -     CaseContacted
decide.wants_mediation    want want -    want want -    -    want want -    -     MediationDecisionRecorded
decide.declined           decl decl decl -    decl -    -    decl decl -    -     MediationDecisionRecorded
decide.unreachable        -    unre unre -    -    -    -    unre unre -    -     MediationDecisionRecorded
mediation.schedule        -    -    inmd -    -    -    -    inmd -    -    -     MediationScheduled
mediation.reschedule      -    -    -    -    -    =    -    -    -    -    -     MediationScheduled
mediation.cancel          -    -    -    -    -    want -    -    -    -    -     MediationScheduled
conclude.agreement        -    -    -    -    -    resd -    -    -    -    -     MediationConcluded
conclude.no_agreement     -    -    -    -    -    notr -    -    -    -    -     MediationConcluded
conclude.creditor_absent  -    -    -    -    -    want -    -    -    -    -     MediationConcluded
conclude.debtor_absent    -    -    -    -    -    want -    -    -    -    -     MediationConcluded
refer                     refd refd refd refd refd -    =    refd =    -    -     CaseReferred
close.resolved            -    -    -    -    -    -    clsd -    -    -    -     CaseClosed
close.declined            -    -    -    clsd -    -    -    -    -    -    -     CaseClosed
close.unreachable         -    -    -    -    clsd -    -    -    -    -    -     CaseClosed
close.referred            -    -    -    -    -    -    -    -    clsd -    -     CaseClosed
close.moved_abroad        clsd clsd clsd clsd clsd -    clsd clsd clsd -    -     CaseClosed
close.deceased            clsd clsd clsd clsd clsd -    clsd clsd clsd -    -     CaseClosed
close.duplicate           clsd clsd clsd clsd clsd -    clsd clsd clsd -    -     CaseClosed
close.other               clsd clsd clsd clsd clsd -    clsd clsd clsd -    -     CaseClosed
withdraw                  wdrn wdrn wdrn wdrn wdrn -    wdrn wdrn wdrn -    -     CaseClosed
reopen                    -    -    -    -    -    -    -    -    -    cont cont  CaseReopened
reopen.for_mediation      -    -    -    -    -    -    -    -    -    want want  CaseReopened
transfer.request          =    =    =    =    =    -    =    =    =    -    -     CaseTransferRequested
transfer.accept           =    =    =    =    =    -    =    =    =    -    -     CaseTransferred
transfer.refuse           =    =    =    =    =    =    =    =    =    =    =     CaseTransferRefused
assign                    =    =    =    =    =    =    =    =    =    -    -     CaseAssigned
"""


def _expected() -> tuple[dict[tuple[Status, Action], Move], dict[Action, str]]:
    lines = [line.split() for line in MATRIX.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    starts = [COLUMNS[c] for c in header[1:-1]]
    allowed: dict[tuple[Status, Action], Move] = {}
    events: dict[Action, str] = {}
    for row in rows:
        action, cells, event = Action(row[0]), row[1:-1], row[-1]
        assert len(cells) == len(starts), row
        events[action] = event
        for start, cell in zip(starts, cells, strict=True):
            if cell != "-":
                allowed[(start, action)] = Move(start if cell == "=" else COLUMNS[cell], event)
    return allowed, events


EXPECTED, EVENTS = _expected()
PRODUCT = [(s, a) for s in Status for a in Action]
ALLOWED = [pair for pair in PRODUCT if pair in EXPECTED]
REFUSED = [pair for pair in PRODUCT if pair not in EXPECTED]


def test_the_matrix_names_every_action_and_every_status() -> None:
    assert set(EVENTS) == set(Action)
    assert set(COLUMNS.values()) == set(Status)
    assert len(PRODUCT) == len(ALLOWED) + len(REFUSED) == len(Status) * len(Action)


def test_the_table_allows_exactly_what_the_rules_allow() -> None:
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize(("status", "action"), ALLOWED, ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_an_allowed_move(status: Status, action: Action) -> None:
    move = transitions.move(status, action)
    assert move == EXPECTED[(status, action)]
    assert transitions.allowed(status, action)
    assert action in transitions.actions_from(status)
    schema = registry.schema(move.event, 1)  # the event exists in the contracts and can say the new status
    assert move.to.value in schema["properties"]["status"]["enum"]


@pytest.mark.parametrize(("status", "action"), REFUSED, ids=[f"{s}-{a}" for s, a in REFUSED])
def test_a_refused_move_is_explained_in_thai_naming_the_status(status: Status, action: Action) -> None:
    with pytest.raises(TransitionRefused) as refused:
        transitions.move(status, action)
    error = refused.value
    assert (error.status, error.action) == (status, action)
    assert not transitions.allowed(status, action) and action not in transitions.actions_from(status)
    assert f"ไม่ได้ เพราะเรื่องนี้อยู่ในสถานะ “{STATUS[status][0]}”" in error.th
    assert f"the case is “{STATUS[status][1]}”" in error.en and error.en.startswith("Cannot ")
    assert len(error.th) <= 300 and len(error.en) <= 300  # the error body clips longer messages
    if status in (Status.CLOSED, Status.WITHDRAWN):
        assert "เปิดเรื่องอีกครั้งก่อน" in error.th  # says how to go on


def test_refusals_say_what_would_allow_the_move() -> None:
    th, en = transitions.refusal(Status.CONTACTING, Action.CLOSE_RESOLVED)
    assert th.startswith("ปิดเรื่องด้วยเหตุผล “ไกล่เกลี่ยสำเร็จ” ไม่ได้ เพราะเรื่องนี้อยู่ในสถานะ “อยู่ระหว่างติดต่อลูกหนี้”")
    assert "“ไกล่เกลี่ยสำเร็จ”" in th.split("เพราะ", 1)[1] and "Resolved by mediation" in en
    th, _ = transitions.refusal(Status.CONTACTING, Action.SCHEDULE_MEDIATION)
    assert "ต้องบันทึกก่อนว่าลูกหนี้ประสงค์เข้าสู่การไกล่เกลี่ย" in th
    th, _ = transitions.refusal(Status.IN_MEDIATION, Action.CLOSE_OTHER)
    assert "บันทึกผลหรือยกเลิกนัดก่อน" in th
    th, _ = transitions.refusal(Status.IN_MEDIATION, Action.SCHEDULE_MEDIATION)
    assert "เลื่อนนัด" in th
    th, _ = transitions.refusal(Status.DECLINED, Action.DECIDE_DECLINED)
    assert "บันทึกความประสงค์นี้ไว้แล้ว" in th


def _reachable(start: Status) -> set[Status]:
    seen, todo = {start}, [start]
    while todo:
        here = todo.pop()
        for (source, _), move in TRANSITIONS.items():
            if source is here and move.to not in seen:
                seen.add(move.to)
                todo.append(move.to)
    return seen


def test_every_status_is_reachable_from_new_and_no_open_case_is_stuck() -> None:
    assert _reachable(Status.NEW) == set(Status)
    for status in Status:
        assert Status.CLOSED in _reachable(status), status  # every case can be closed, one way or another
    for closed in (Status.CLOSED, Status.WITHDRAWN):
        assert {m.to for (s, _), m in TRANSITIONS.items() if s is closed and m.to is not closed} == {
            Status.CONTACTING, Status.WANTS_MEDIATION}  # only reopening leaves a closed case


def test_reopening_returns_to_the_debtors_decision() -> None:
    assert transitions.reopen_action(make_case(decision="wants_mediation")) is Action.REOPEN_FOR_MEDIATION
    for decision in (None, "declined", "unreachable"):
        assert transitions.reopen_action(make_case(decision=decision)) is Action.REOPEN


def test_excessive_interest_or_threats_suggest_the_police_without_forcing_it() -> None:
    assert transitions.suggested_referrals(make_case(excessive=True)) == ("police",)
    assert transitions.suggested_referrals(make_case(threatened=True)) == ("police",)
    assert transitions.suggested_referrals(make_case()) == ()
    assert transitions.allowed(Status.CONTACTING, Action.CLOSE_OTHER)  # a flagged case may still close otherwise


@pytest.mark.parametrize("status", list(Status))
def test_the_next_action_is_due_by_status(status: Status) -> None:
    today = date(2025, 1, 16)
    session = MediationSession(1, NOW + timedelta(days=3), "ที่ว่าการอำเภอ", "นายอำเภอ")
    case = make_case(status=status, sessions=(session,) if status is Status.IN_MEDIATION else ())
    due = transitions.next_action_due(case, today)
    expected = {Status.NEW: 7, Status.CONTACTING: 7, Status.WANTS_MEDIATION: 14, Status.DECLINED: 30,
                Status.UNREACHABLE: 30, Status.RESOLVED: 30, Status.NOT_RESOLVED: 14, Status.REFERRED: 30}
    if status is Status.IN_MEDIATION:
        assert due == date(2025, 1, 19)  # the session's day in Bangkok
    elif status in (Status.CLOSED, Status.WITHDRAWN):
        assert due is None
    else:
        assert due == today + timedelta(days=expected[status])
