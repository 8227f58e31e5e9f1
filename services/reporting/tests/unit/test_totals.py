from __future__ import annotations

from reporting.domain.totals import CaseFigures, contribution, figures_of, increments


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
