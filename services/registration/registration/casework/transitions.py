"""The casework state machine as data: which action may move a case from which status, to which status,
and which event it emits. Anything not in ``TRANSITIONS`` is refused, with a Thai (then English)
explanation naming the case's status (``refusal``).

How to read the table (rows below, expanded into ``TRANSITIONS``):

* Contact attempts (one action per result) may be recorded on every open case; the first one moves a new
  case to ``contacting``, and reaching an unreachable debtor at last brings the case back to ``contacting``
  so that their decision can be asked. Closed and withdrawn cases take nothing until reopened.
* The debtor's decision: wanting mediation, declining, or unreachable (only once someone tried: not from
  ``new``). A debtor may change their mind, or want another try after a failed mediation or a referral.
* Mediation: a session is scheduled once the debtor wants mediation (or after a session without
  agreement); ``in_mediation`` means exactly one session is scheduled and waiting for its result. An
  agreement resolves the case, no agreement leaves it ``not_resolved``, an absent party (or a cancelled
  session) takes it back to ``wants_mediation`` to schedule again.
* While a session is scheduled the case cannot be referred, closed, withdrawn or transferred: record
  the session's result or cancel it first, so no session is left dangling.
* Referral moves the case to ``referred``; after an agreement a referral (e.g. refinancing the agreed debt
  at a state bank) is support, and the case stays ``resolved``. Excessive interest and threats make a
  police referral sensible; the table does not force it (``suggested_referrals``).
* Closing: "resolved", "declined", "unreachable" and "referred" close only a case in that status; the
  other reasons (moved abroad, deceased, duplicate, other) close any open case. ``withdraw`` records the
  debtor's withdrawal (status ``withdrawn``, event CaseClosed with reason "withdrawn").
* Reopening takes a closed or withdrawn case back to ``contacting``, or to ``wants_mediation`` when the
  debtor's recorded decision was to want mediation (the use case picks ``REOPEN_FOR_MEDIATION`` then).
* Transfers and assignment leave the status as it is. A transfer may be requested, and accepted, while
  the case is open and no session is scheduled; the receiving district may always refuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from registration.cases.case import Case, Status
from registration.casework.vocabulary import CLOSURE_REASON, CONTACT_RESULT, MEDIATION_RESULT, STATUS, Label
from registration.kernel.receipts import thai_date


class Action(StrEnum):
    CONTACT_REACHED = "contact.reached"
    CONTACT_NOT_REACHED = "contact.not_reached"
    CONTACT_WRONG_NUMBER = "contact.wrong_number"
    CONTACT_MOVED_AWAY = "contact.moved_away"
    CONTACT_LETTER_SENT = "contact.letter_sent"
    DECIDE_WANTS_MEDIATION = "decide.wants_mediation"
    DECIDE_DECLINED = "decide.declined"
    DECIDE_UNREACHABLE = "decide.unreachable"
    SCHEDULE_MEDIATION = "mediation.schedule"
    RESCHEDULE_MEDIATION = "mediation.reschedule"
    CANCEL_MEDIATION = "mediation.cancel"
    CONCLUDE_AGREEMENT = "conclude.agreement"
    CONCLUDE_NO_AGREEMENT = "conclude.no_agreement"
    CONCLUDE_CREDITOR_ABSENT = "conclude.creditor_absent"
    CONCLUDE_DEBTOR_ABSENT = "conclude.debtor_absent"
    REFER = "refer"
    CLOSE_RESOLVED = "close.resolved"
    CLOSE_DECLINED = "close.declined"
    CLOSE_UNREACHABLE = "close.unreachable"
    CLOSE_REFERRED = "close.referred"
    CLOSE_MOVED_ABROAD = "close.moved_abroad"
    CLOSE_DECEASED = "close.deceased"
    CLOSE_DUPLICATE = "close.duplicate"
    CLOSE_OTHER = "close.other"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"
    REOPEN_FOR_MEDIATION = "reopen.for_mediation"
    REQUEST_TRANSFER = "transfer.request"
    ACCEPT_TRANSFER = "transfer.accept"
    REFUSE_TRANSFER = "transfer.refuse"
    ASSIGN = "assign"


@dataclass(frozen=True)
class Move:
    to: Status
    event: str  # the case-events event type the move emits


S = Status
CONTACTED, DECIDED, SCHEDULED = "CaseContacted", "MediationDecisionRecorded", "MediationScheduled"
CONCLUDED, REFERRED, CLOSED = "MediationConcluded", "CaseReferred", "CaseClosed"
CLOSED_STATUSES = (S.CLOSED, S.WITHDRAWN)
OPEN = tuple(s for s in Status if s not in CLOSED_STATUSES)
NO_SESSION = tuple(s for s in OPEN if s is not S.IN_MEDIATION)  # open, no session waiting for its result
CONTACT_ACTIONS = (Action.CONTACT_REACHED, Action.CONTACT_NOT_REACHED, Action.CONTACT_WRONG_NUMBER,
                   Action.CONTACT_MOVED_AWAY, Action.CONTACT_LETTER_SENT)
OTHER_CLOSE_ACTIONS = (Action.CLOSE_MOVED_ABROAD, Action.CLOSE_DECEASED, Action.CLOSE_DUPLICATE, Action.CLOSE_OTHER)

# (from these statuses, action, to this status or None for "stays as it is", event type)
_ROWS: list[tuple[tuple[Status, ...], Action, Status | None, str]] = [
    *(((S.NEW,), a, S.CONTACTING, CONTACTED) for a in CONTACT_ACTIONS),
    *((tuple(s for s in OPEN if s not in (S.NEW, S.UNREACHABLE)), a, None, CONTACTED) for a in CONTACT_ACTIONS),
    ((S.UNREACHABLE,), Action.CONTACT_REACHED, S.CONTACTING, CONTACTED),
    *(((S.UNREACHABLE,), a, None, CONTACTED) for a in CONTACT_ACTIONS if a is not Action.CONTACT_REACHED),

    ((S.NEW, S.CONTACTING, S.DECLINED, S.UNREACHABLE, S.NOT_RESOLVED, S.REFERRED),
     Action.DECIDE_WANTS_MEDIATION, S.WANTS_MEDIATION, DECIDED),
    ((S.NEW, S.CONTACTING, S.WANTS_MEDIATION, S.UNREACHABLE, S.NOT_RESOLVED, S.REFERRED),
     Action.DECIDE_DECLINED, S.DECLINED, DECIDED),
    ((S.CONTACTING, S.WANTS_MEDIATION, S.NOT_RESOLVED, S.REFERRED), Action.DECIDE_UNREACHABLE, S.UNREACHABLE, DECIDED),

    ((S.WANTS_MEDIATION, S.NOT_RESOLVED), Action.SCHEDULE_MEDIATION, S.IN_MEDIATION, SCHEDULED),
    ((S.IN_MEDIATION,), Action.RESCHEDULE_MEDIATION, None, SCHEDULED),
    ((S.IN_MEDIATION,), Action.CANCEL_MEDIATION, S.WANTS_MEDIATION, SCHEDULED),
    ((S.IN_MEDIATION,), Action.CONCLUDE_AGREEMENT, S.RESOLVED, CONCLUDED),
    ((S.IN_MEDIATION,), Action.CONCLUDE_NO_AGREEMENT, S.NOT_RESOLVED, CONCLUDED),
    ((S.IN_MEDIATION,), Action.CONCLUDE_CREDITOR_ABSENT, S.WANTS_MEDIATION, CONCLUDED),
    ((S.IN_MEDIATION,), Action.CONCLUDE_DEBTOR_ABSENT, S.WANTS_MEDIATION, CONCLUDED),

    (tuple(s for s in NO_SESSION if s is not S.RESOLVED), Action.REFER, S.REFERRED, REFERRED),
    ((S.RESOLVED,), Action.REFER, None, REFERRED),

    ((S.RESOLVED,), Action.CLOSE_RESOLVED, S.CLOSED, CLOSED),
    ((S.DECLINED,), Action.CLOSE_DECLINED, S.CLOSED, CLOSED),
    ((S.UNREACHABLE,), Action.CLOSE_UNREACHABLE, S.CLOSED, CLOSED),
    ((S.REFERRED,), Action.CLOSE_REFERRED, S.CLOSED, CLOSED),
    *((NO_SESSION, a, S.CLOSED, CLOSED) for a in OTHER_CLOSE_ACTIONS),
    (NO_SESSION, Action.WITHDRAW, S.WITHDRAWN, CLOSED),
    (CLOSED_STATUSES, Action.REOPEN, S.CONTACTING, "CaseReopened"),
    (CLOSED_STATUSES, Action.REOPEN_FOR_MEDIATION, S.WANTS_MEDIATION, "CaseReopened"),

    (NO_SESSION, Action.REQUEST_TRANSFER, None, "CaseTransferRequested"),
    (NO_SESSION, Action.ACCEPT_TRANSFER, None, "CaseTransferred"),
    (tuple(Status), Action.REFUSE_TRANSFER, None, "CaseTransferRefused"),
    (OPEN, Action.ASSIGN, None, "CaseAssigned"),
]


def _expand(rows: Iterable[tuple[tuple[Status, ...], Action, Status | None, str]]) -> dict[tuple[Status, Action], Move]:
    table: dict[tuple[Status, Action], Move] = {}
    for sources, action, to, event in rows:
        for source in sources:
            if (source, action) in table:
                raise ValueError(f"two rows for {source} × {action}")  # the table must be unambiguous
            table[(source, action)] = Move(to or source, event)
    return table


TRANSITIONS: dict[tuple[Status, Action], Move] = _expand(_ROWS)

CONTACT_ACTION: dict[str, Action] = {a.value.removeprefix("contact."): a for a in CONTACT_ACTIONS}
DECISION_ACTION: dict[str, Action] = {a.value.removeprefix("decide."): a for a in Action if a.startswith("decide.")}
CONCLUDE_ACTION: dict[str, Action] = {a.value.removeprefix("conclude."): a for a in Action if a.startswith("conclude.")}
CLOSE_ACTION: dict[str, Action] = {a.value.removeprefix("close."): a for a in Action if a.startswith("close.")}


class TransitionRefused(Exception):
    """The action is not allowed from the case's status; ``th``/``en`` say why, naming the status."""

    def __init__(self, status: Status, action: Action, th: str, en: str) -> None:
        super().__init__(en)
        self.status, self.action, self.th, self.en = status, action, th, en


def allowed(status: Status, action: Action) -> bool:
    return (status, action) in TRANSITIONS


def actions_from(status: Status) -> list[Action]:
    """What may be done to a case in ``status`` (a page offers these), in table order."""
    return [a for a in Action if (status, a) in TRANSITIONS]


def sources_of(action: Action) -> list[Status]:
    return [s for s in Status if (s, action) in TRANSITIONS]


def move(status: Status, action: Action) -> Move:
    """The move, or TransitionRefused with the reason in Thai and English."""
    found = TRANSITIONS.get((status, action))
    if found is None:
        th, en = refusal(status, action)
        raise TransitionRefused(status, action, th, en)
    return found


# ---- the words: what each action is called, and why it may be refused ----

def _action_label(action: Action) -> Label:
    code = action.value.split(".", 1)[-1]
    if action in CONTACT_ACTIONS:
        th, en = CONTACT_RESULT[code]
        return f"บันทึกการติดต่อที่มีผล “{th}” ", f"record a contact attempt with the result “{en.lower()}”"
    if action.value.startswith("conclude."):
        th, en = MEDIATION_RESULT[code]
        return f"บันทึกผลการไกล่เกลี่ยว่า “{th}” ", f"record the mediation result “{en.lower()}”"
    if action.value.startswith("close."):
        th, en = CLOSURE_REASON[code]
        return f"ปิดเรื่องด้วยเหตุผล “{th}” ", f"close the case with the reason “{en.lower()}”"
    return ACTION_LABEL[action]


ACTION_LABEL: dict[Action, Label] = {
    Action.DECIDE_WANTS_MEDIATION: ("บันทึกว่าลูกหนี้ประสงค์ไกล่เกลี่ย", "record that the debtor wants mediation"),
    Action.DECIDE_DECLINED: ("บันทึกว่าลูกหนี้ไม่ประสงค์ไกล่เกลี่ย", "record that the debtor declines mediation"),
    Action.DECIDE_UNREACHABLE: ("บันทึกว่าติดต่อลูกหนี้ไม่ได้", "record the debtor as unreachable"),
    Action.SCHEDULE_MEDIATION: ("นัดไกล่เกลี่ย", "schedule a mediation session"),
    Action.RESCHEDULE_MEDIATION: ("เลื่อนนัดไกล่เกลี่ย", "reschedule the mediation session"),
    Action.CANCEL_MEDIATION: ("ยกเลิกนัดไกล่เกลี่ย", "cancel the mediation session"),
    Action.REFER: ("ส่งต่อหน่วยงาน", "refer the case"),
    Action.WITHDRAW: ("บันทึกการถอนเรื่อง", "record the withdrawal"),
    Action.REOPEN: ("เปิดเรื่องอีกครั้ง", "reopen the case"),
    Action.REOPEN_FOR_MEDIATION: ("เปิดเรื่องอีกครั้ง", "reopen the case"),
    Action.REQUEST_TRANSFER: ("ขอโอนเรื่อง", "request a transfer"),
    Action.ACCEPT_TRANSFER: ("รับโอนเรื่อง", "accept the transfer"),
    Action.REFUSE_TRANSFER: ("ปฏิเสธการรับโอน", "refuse the transfer"),
    Action.ASSIGN: ("มอบหมายเจ้าหน้าที่", "assign an officer"),
}

_CLOSED_HINT: Label = ("เรื่องนี้ปิดแล้ว หากต้องดำเนินการต่อ กรุณาเปิดเรื่องอีกครั้งก่อน",
                       "The case is closed; reopen it first to continue.")
_SESSION_HINT: Label = ("มีนัดไกล่เกลี่ยที่ยังไม่ได้บันทึกผล กรุณาบันทึกผลหรือยกเลิกนัดก่อน",
                        "A mediation session is scheduled; record its result or cancel it first.")
_NO_SESSION_HINT: Label = ("ไม่มีนัดไกล่เกลี่ยที่รอบันทึกผล", "No mediation session is waiting for its result.")
# Why an action needs a particular status, where the list of statuses alone would not say it.
_WHY: dict[Action, Label] = {
    Action.SCHEDULE_MEDIATION: ("ต้องบันทึกก่อนว่าลูกหนี้ประสงค์เข้าสู่การไกล่เกลี่ย",
                                "First record that the debtor wants mediation."),
    Action.RESCHEDULE_MEDIATION: _NO_SESSION_HINT,
    Action.CANCEL_MEDIATION: _NO_SESSION_HINT,
    **{a: _NO_SESSION_HINT for a in CONCLUDE_ACTION.values()},
    Action.DECIDE_UNREACHABLE: ("ต้องมีการติดต่อลูกหนี้ก่อน", "Someone must have tried to contact the debtor first."),
    Action.REOPEN: ("เปิดได้เฉพาะเรื่องที่ปิดแล้ว", "Only a closed case can be reopened."),
    Action.REOPEN_FOR_MEDIATION: ("เปิดได้เฉพาะเรื่องที่ปิดแล้ว", "Only a closed case can be reopened."),
}


def _statuses(statuses: list[Status], lang: int) -> str:
    return ", ".join(f"“{STATUS[s][lang]}”" for s in statuses)


def refusal(status: Status, action: Action) -> Label:
    """Why ``action`` is refused in ``status``: e.g. "ปิดเรื่องด้วยเหตุผล “ไกล่เกลี่ยสำเร็จ” ไม่ได้ เพราะเรื่องนี้อยู่ใน
    สถานะ “อยู่ระหว่างติดต่อลูกหนี้” …", then what would allow it."""
    act_th, act_en = _action_label(action)
    status_th, status_en = STATUS[status]
    if (status, action) in _SAME:
        why = _SAME[(status, action)]
    elif status in CLOSED_STATUSES and action not in (Action.REOPEN, Action.REOPEN_FOR_MEDIATION):
        why = _CLOSED_HINT
    elif status is S.IN_MEDIATION and action not in _WHY:
        why = _SESSION_HINT
    else:
        sources = sources_of(action)
        why_th, why_en = _WHY.get(action, ("", ""))
        why = (f"{why_th} ทำได้เมื่อเรื่องอยู่ในสถานะ {_statuses(sources, 0)}".strip(),
               f"{why_en} Allowed only when the case is {_statuses(sources, 1)}.".strip())
    return (f"{act_th}ไม่ได้ เพราะเรื่องนี้อยู่ในสถานะ “{status_th}” {why[0]}",
            f"Cannot {act_en}: the case is “{status_en}”. {why[1]}")


_SAME: dict[tuple[Status, Action], Label] = {
    (S.WANTS_MEDIATION, Action.DECIDE_WANTS_MEDIATION): ("ซึ่งบันทึกความประสงค์นี้ไว้แล้ว", "That is already recorded."),
    (S.DECLINED, Action.DECIDE_DECLINED): ("ซึ่งบันทึกความประสงค์นี้ไว้แล้ว", "That is already recorded."),
    (S.UNREACHABLE, Action.DECIDE_UNREACHABLE): ("ซึ่งบันทึกไว้แล้ว", "That is already recorded."),
    (S.IN_MEDIATION, Action.SCHEDULE_MEDIATION): ("ซึ่งมีนัดไกล่เกลี่ยอยู่แล้ว หากต้องการเปลี่ยนวันเวลาให้เลื่อนนัด",
                                                  "A session is already scheduled; reschedule it instead."),
}


def reopen_action(case: Case) -> Action:
    """Reopening returns to where the debtor's recorded decision left the case."""
    return Action.REOPEN_FOR_MEDIATION if case.decision == "wants_mediation" else Action.REOPEN


def suggested_referrals(case: Case) -> tuple[str, ...]:
    """Referrals the registered facts make sensible (a page suggests them; nothing forces them): interest
    above the legal limit or threats in collection are offences to report to the police."""
    return ("police",) if case.excessive_interest or case.threatened else ()


# ---- the next action's due date, by the status a change leaves the case in ----

# Days from the change until the next step is due: a first contact within a week of registration (and of each
# unanswered attempt), a session within two weeks of the debtor asking for one, a follow-up within a month
# of a decision to decline, a referral or an agreement. A scheduled session is due on its day; a closed case
# has nothing due.
FOLLOW_UP_DAYS: dict[Status, int | None] = {
    S.NEW: 7, S.CONTACTING: 7, S.WANTS_MEDIATION: 14, S.DECLINED: 30, S.UNREACHABLE: 30, S.IN_MEDIATION: None,
    S.RESOLVED: 30, S.NOT_RESOLVED: 14, S.REFERRED: 30, S.WITHDRAWN: None, S.CLOSED: None,
}


def next_action_due(case: Case, today: date) -> date | None:
    if case.status is S.IN_MEDIATION:
        scheduled = [s for s in case.sessions if s.state == "scheduled"]
        return thai_date(scheduled[-1].scheduled_at) if scheduled else today
    days = FOLLOW_UP_DAYS[case.status]
    return None if days is None else today + timedelta(days=days)
