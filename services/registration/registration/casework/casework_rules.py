"""Casework's refusals and field messages, and the small types every change shares.

Kept apart from the use cases so the letters and the pages can name the same refusals (NOT_FOUND, READ_ONLY,
``refused``) without depending on how a change is run."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts.errors import ApiError
from registration.cases.case import Case
from registration.cases.errors import Conflict, Invalid
from registration.casework.inputs import Fields
from registration.casework.transitions import Move, TransitionRefused
from registration.kernel.interest import LEGAL_CAP_BP_PER_YEAR
from registration.kernel.thai import FieldError

NOT_FOUND = ("case.not_found", "ไม่พบเรื่องนี้ หรือท่านไม่มีสิทธิ์เข้าถึง", "Case not found.")
READ_ONLY = ("access.read_only",
             "ท่านดูเรื่องนี้ได้ แต่การบันทึกการดำเนินงานทำได้เฉพาะเจ้าหน้าที่ของอำเภอที่รับผิดชอบเรื่องนี้",
             "You may read this case, but only officers of its district record its casework.")
NOT_RECEIVER = ("transfer.not_receiver", "รับหรือปฏิเสธการโอนเรื่องได้เฉพาะเจ้าหน้าที่ของอำเภอที่รับโอน",
                "Only officers of the receiving district may accept or refuse the transfer.")
NO_TRANSFER = ("transfer.none_pending", "ไม่มีคำขอโอนเรื่องนี้ที่รอการตอบรับ",
               "No transfer of this case is awaiting an answer.")
TRANSFER_PENDING = ("transfer.already_pending",
                    "มีคำขอโอนเรื่องนี้ที่รอการตอบรับอยู่แล้ว ต้องรอให้อำเภอที่รับโอนตอบรับหรือปฏิเสธก่อน",
                    "A transfer of this case is already awaiting the receiving district's answer.")
CHANGED_MEANWHILE = ("case.changed_meanwhile",
                     "มีผู้อื่นบันทึกเรื่องนี้ก่อนท่าน ระบบจึงยังไม่ได้บันทึกรายการของท่าน ข้อมูลที่ท่านกรอกไว้ยังอยู่ครบ "
                     "กรุณาตรวจสอบข้อมูลล่าสุดของเรื่องแล้วกดบันทึกอีกครั้ง",
                     "Someone else saved this case first, so your entry was not saved; it is kept. Check the case's "
                     "latest details and save again.")
NO_CASEWORK = ("access.no_casework", "ท่านไม่มีหน้าที่บันทึกการดำเนินงานของอำเภอ",
               "Only district officers record casework.")
SESSION_NOT_FOUND = ("session.not_found", "ไม่พบนัดไกล่เกลี่ยครั้งนี้", "No such mediation session on this case.")
SESSION_NOT_SCHEDULED = ("session.not_scheduled", "นัดไกล่เกลี่ยครั้งนี้บันทึกผลหรือยกเลิกไปแล้ว",
                         "This session was already concluded or cancelled.")
MAX_BULK = 1000  # cases per bulk action: a district's letters for a week, not the nation's
MIN_ATTEMPTS_UNREACHABLE = 2  # "unreachable after repeated attempts"
_ATTEMPTS = 3  # a bulk action re-reads a case changed meanwhile this many times before reporting it

_FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "contact.letter_needs_letter": ("ผล “ส่งหนังสือแล้ว” ใช้กับการติดต่อทางหนังสือราชการเท่านั้น",
                                    "“Letter sent” is a result of an official letter only."),
    "contact.letter_no_needs_letter": ("เลขที่หนังสือใช้กับการติดต่อทางหนังสือราชการเท่านั้น",
                                       "A letter number goes with an official letter only."),
    "decision.too_few_attempts": (f"บันทึกว่าติดต่อไม่ได้ได้เมื่อพยายามติดต่อแล้วอย่างน้อย {MIN_ATTEMPTS_UNREACHABLE} ครั้ง",
                                  f"Record the debtor as unreachable after at least {MIN_ATTEMPTS_UNREACHABLE} "
                                  "unsuccessful attempts."),
    "session.not_yet_held": ("ยังไม่ถึงวันนัด บันทึกผลได้ตั้งแต่วันนัดเป็นต้นไป",
                             "The session's day has not come yet; record its result on or after that day."),
    "mediation.both_present": ("ผลนี้บันทึกได้เมื่อทั้งลูกหนี้และเจ้าหนี้มาตามนัด",
                               "This result needs both the debtor and the creditor present."),
    "mediation.creditor_present": ("บันทึกว่าเจ้าหนี้ไม่มา แต่ระบุว่าเจ้าหนี้มาตามนัด",
                                   "“Creditor absent”, yet the creditor is marked present."),
    "mediation.debtor_present": ("บันทึกว่าลูกหนี้ไม่มา แต่ระบุว่าลูกหนี้มาตามนัด",
                                 "“Debtor absent”, yet the debtor is marked present."),
    "mediation.only_with_agreement": ("กรอกได้เฉพาะเมื่อตกลงกันได้", "Only with an agreement."),
    "debt_after.above_before": ("ยอดหนี้หลังไกล่เกลี่ยต้องไม่มากกว่ายอดหนี้ก่อนไกล่เกลี่ย",
                                "The debt after mediation cannot exceed the debt before."),
    "instalment.above_debt": ("ค่างวดต้องไม่มากกว่ายอดหนี้หลังไกล่เกลี่ย",
                              "The instalment cannot exceed the debt after mediation."),
    "interest.above_legal_cap": (
        f"ดอกเบี้ยที่ตกลงต้องไม่เกินร้อยละ {LEGAL_CAP_BP_PER_YEAR // 100} ต่อปีตามกฎหมาย",
        f"The agreed interest cannot exceed the legal {LEGAL_CAP_BP_PER_YEAR // 100}% a year."),
    "close.withdrawn": ("การถอนเรื่องของลูกหนี้ให้บันทึกด้วยเมนู “ถอนเรื่อง”", "Record a withdrawal with “withdraw”."),
    "case_ids.required": ("กรุณาเลือกอย่างน้อย 1 เรื่อง", "Please select at least one case."),
    "case_ids.too_many": (f"เลือกได้ครั้งละไม่เกิน {MAX_BULK:,} เรื่อง", f"At most {MAX_BULK:,} cases at a time."),
}


def _problem(field_name: str, code: str) -> FieldError:
    th, en = _FIELD_MESSAGES[code]
    return FieldError(code, th, en, field_name)


def _raise_if(fields: Fields) -> None:
    if fields.errors:
        raise Invalid(fields.errors)


def changed_meanwhile(current_revision: int) -> Conflict:
    """409 ``case.changed_meanwhile``; ``revision`` is the case's revision now, for the page to show it again."""
    conflict = Conflict(*CHANGED_MEANWHILE)
    conflict.extra["revision"] = current_revision
    return conflict


def refused(error: TransitionRefused) -> Conflict:
    return Conflict("casework.transition_refused", error.th, error.en, status=error.status.value,
                    action=error.action.value)


@dataclass(frozen=True)
class _Change:
    """What a move does to the case (status, revision, timeline and due date are added by ``_run``)."""

    case: Case
    details: dict[str, Any]  # the timeline entry's details: codes and a short note
    event: dict[str, Any] = field(default_factory=dict)  # the event's own fields
    keeps_due: bool = False  # assignment and transfer requests do not move the next action


class BulkResult(list[Case]):
    """The changed cases, in the order asked. ``failed`` says which cases were not changed and why (the same
    refusal a single action gives); ``unchanged`` lists cases that already were as asked."""

    def __init__(self, changed: Iterable[Case] = ()) -> None:
        super().__init__(changed)
        self.failed: dict[str, ApiError] = {}
        self.unchanged: list[str] = []


Build = Callable[[Case, Move, datetime], _Change]
