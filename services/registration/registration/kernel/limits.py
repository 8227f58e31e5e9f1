"""What one case may carry (see docs/limits.md for the reasoning behind each figure).

Caps are checked on the case as it would be after a registration or an addition, so the same rule
holds however the case was built (one registration, or many additions from the API and the pages).
With one case per citizen per campaign, these caps keep every district, province and national total
far below 2^63 satang; a total that gets there anyway is corrupt data (``case.ImpossibleTotals``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from registration.cases.model import Creditor, Debt
from registration.kernel.money import MAX_BAHT
from registration.kernel.thai import FieldError

MAX_AMOUNT_BAHT = MAX_BAHT  # one amount (principal, outstanding, repaid, instalment, income): money.parse_satang
MAX_CASE_BAHT = 500_000_000  # a case's total principal, and its total outstanding
MAX_CREDITORS_PER_CASE = 50
MAX_DEBTS_PER_CREDITOR = 50
MAX_DEBTS_PER_CASE = 200


def _baht(amount: int) -> str:
    return f"{amount:,}"


@dataclass(frozen=True)
class CaseShape:
    """How many debts each creditor has, and the case's total principal and outstanding (satang)."""

    debts_per_creditor: tuple[int, ...]
    principal_satang: int
    outstanding_satang: int

    @classmethod
    def of(cls, creditors: Sequence[Creditor]) -> CaseShape:
        return cls((), 0, 0).plus_creditors(creditors)

    def plus_creditors(self, creditors: Sequence[Creditor]) -> CaseShape:
        debts = [d for c in creditors for d in c.debts]
        return CaseShape(self.debts_per_creditor + tuple(len(c.debts) for c in creditors),
                         self.principal_satang + sum(d.principal_satang for d in debts),
                         self.outstanding_satang + sum(d.outstanding_satang for d in debts))

    def plus_debts(self, creditor_index: int, debts: Sequence[Debt]) -> CaseShape:
        counts = list(self.debts_per_creditor)
        counts[creditor_index] += len(debts)
        return CaseShape(tuple(counts), self.principal_satang + sum(d.principal_satang for d in debts),
                         self.outstanding_satang + sum(d.outstanding_satang for d in debts))

    def problems(self, field: str) -> list[FieldError]:
        """Every cap this case would exceed, as errors on ``field`` (``creditors`` or ``debts``)."""
        found: list[FieldError] = []
        creditors = len(self.debts_per_creditor)
        if creditors > MAX_CREDITORS_PER_CASE:
            found.append(FieldError(
                "case.too_many_creditors",
                f"รายการลงทะเบียนหนึ่งมีเจ้าหนี้ได้ไม่เกิน {MAX_CREDITORS_PER_CASE} ราย (รวมที่จะเพิ่มเป็น {creditors} ราย)",
                f"A case can have at most {MAX_CREDITORS_PER_CASE} creditors (this would make {creditors}).", field))
        if any(n > MAX_DEBTS_PER_CREDITOR for n in self.debts_per_creditor):
            found.append(FieldError(
                "case.too_many_debts_for_creditor",
                f"เจ้าหนี้หนึ่งรายมีหนี้ได้ไม่เกิน {MAX_DEBTS_PER_CREDITOR} รายการ",
                f"A creditor can have at most {MAX_DEBTS_PER_CREDITOR} debts on a case.", field))
        debts = sum(self.debts_per_creditor)
        if debts > MAX_DEBTS_PER_CASE:
            found.append(FieldError(
                "case.too_many_debts",
                f"รายการลงทะเบียนหนึ่งมีหนี้ได้ไม่เกิน {MAX_DEBTS_PER_CASE} รายการ (รวมที่จะเพิ่มเป็น {debts} รายการ)",
                f"A case can have at most {MAX_DEBTS_PER_CASE} debts (this would make {debts}).", field))
        if max(self.principal_satang, self.outstanding_satang) > MAX_CASE_BAHT * 100:
            found.append(FieldError(
                "case.total_too_large",
                f"ยอดหนี้รวมของรายการลงทะเบียนหนึ่งต้องไม่เกิน {_baht(MAX_CASE_BAHT)} บาท กรุณาตรวจสอบจำนวนเงิน",
                f"A case's total debt cannot exceed {_baht(MAX_CASE_BAHT)} baht. Please check the amounts.", field))
        return found

    def room_for_creditors(self) -> bool:
        return len(self.debts_per_creditor) < MAX_CREDITORS_PER_CASE and self.room_for_debts()

    def room_for_debts(self, creditor_index: int | None = None) -> bool:
        """Whether one more debt fits the case (and, given its index, that creditor)."""
        if sum(self.debts_per_creditor) >= MAX_DEBTS_PER_CASE:
            return False
        if creditor_index is None:
            return True
        return (0 <= creditor_index < min(len(self.debts_per_creditor), MAX_CREDITORS_PER_CASE)
                and self.debts_per_creditor[creditor_index] < MAX_DEBTS_PER_CREDITOR)
