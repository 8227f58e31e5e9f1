from __future__ import annotations

import pytest

from reporting.domain.totals import (
    CaseFigures,
    ImpossibleTotals,
    contribution,
    figures_of,
    increments,
    totals_after,
)


def figures(revision: int, creditors: int, online: bool = True) -> CaseFigures:
    return CaseFigures("c-1", revision, "47", "4701", online, creditors, 1, 100, 150)


def test_first_registration_adds_one_case_by_channel() -> None:
    assert increments(None, figures(1, 2)) == {
        "cases": 1, "cases_online": 1, "cases_desk": 0, "creditors": 2, "debts": 1,
        "principal_satang": 100, "outstanding_satang": 150}


def test_update_adds_only_the_difference() -> None:
    assert increments(figures(1, 2), figures(2, 5))["creditors"] == 3
    assert increments(figures(1, 2), figures(2, 5))["cases"] == 0


def test_update_keeps_the_channel_of_the_registration() -> None:
    update = {"event_type": "CaseUpdated", "case_id": "c-1", "revision": 2, "province_code": "47",
              "district_code": "4701", "creditor_count": 1, "debt_count": 1, "principal_satang": 1,
              "outstanding_satang": 1}
    known = figures(1, 1, online=False)
    new = figures_of(update, known)
    assert new is not None and new.online is False
    assert figures_of({"event_type": "AuditRecorded"}, known) is None
    assert contribution(None)["cases"] == 0


# Found #2 of issue 8: an impossible figure or sum is refused, never wrapped or turned into a float.

REGISTERED = {"event_type": "CaseRegistered", "case_id": "c-1", "channel": "desk", "province_code": "47",
              "district_code": "4701", "creditor_count": 1, "debt_count": 1, "principal_satang": 100,
              "outstanding_satang": 100}


@pytest.mark.parametrize("value", [2**63, -1, 1e20, 100.0, True])
def test_figures_no_case_can_have_are_refused(value: object) -> None:
    with pytest.raises(ImpossibleTotals):
        figures_of({**REGISTERED, "principal_satang": value}, None)


def test_a_sum_beyond_int64_is_refused_before_the_database_sees_it() -> None:
    row = {"principal_satang": 2**63 - 100, "cases": 5}
    assert totals_after(row, {"principal_satang": 99, "cases": 1}) == {"principal_satang": 2**63 - 1, "cases": 6}
    with pytest.raises(ImpossibleTotals):
        totals_after(row, {"principal_satang": 100, "cases": 1})
    with pytest.raises(ImpossibleTotals):
        totals_after({"principal_satang": 9.2e18}, {"principal_satang": 1})  # a total already turned into a float
    with pytest.raises(ImpossibleTotals):
        totals_after({"cases": 0}, {"cases": -1})
