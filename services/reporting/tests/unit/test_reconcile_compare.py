"""Reconciliation's pure core: totals recomputed from export lines equal what the stream computes from the
same cases' events; every disagreement is listed by unit and figure; a difference is confirmed only when a
second read finds the same amount (reporting.reconcile.recompute, .compare)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reporting.reconcile.compare import Difference, differences, settle
from reporting.reconcile.recompute import recompute
from reporting.totals.districts import TotalsRow
from reporting.totals.rollup import RollUp

from .reconcile_fakes import LiveView, stories, stream


def live_of_stories() -> LiveView:
    return LiveView(stream(event for story in stories() for event in story.events))


def test_recomputed_from_the_export_equals_the_streamed_totals() -> None:
    cases = stories()
    recomputed = recompute(story.line() for story in cases)
    live = LiveView(stream(event for story in cases for event in story.events))
    assert differences(recomputed, live) == []
    assert recomputed.cases == 4 and recomputed.refused == []
    # And the figures are the ones the cases say, not merely equal on both sides.
    nation = recomputed.figures("nation", "")
    assert (nation["registrants"], nation["registrants_desk"], nation["registrants_paper"], nation["closed"]) == (
        4, 1, 1, 1)
    assert (nation["mediation_succeeded"], nation["debt_reduced_satang"], nation["referred_police"]) == (
        1, 800_000, 1)
    assert recomputed.figures("district", "4801") == {
        "registrants": 1, "registrants_paper": 1, "creditors": 1, "debts": 2, "principal_satang": 2_000_000,
        "outstanding_satang": 2_600_000, "contacted": 1, "transfers_in": 1, "transfers_in_other_province": 1}
    # c-3 left 4702 for another province; c-4 went 4701 -> 4702 -> 4701 (in province 47: no province figure).
    d4702 = recomputed.figures("district", "4702")
    assert (d4702.get("registrants"), d4702["transfers_out"], d4702["transfers_in"],
            d4702["transfers_out_other_province"]) == (None, 2, 1, 1)
    assert recomputed.figures("district", "4701")["transfers_in"] == 1
    assert recomputed.figures("province", "47")["transfers_out_other_province"] == 1
    assert recomputed.units("province") == ["47", "48"] and recomputed.units("district", "47") == ["4701", "4702"]


def test_a_wrong_live_total_is_reported_at_its_district_province_and_nation() -> None:
    live = live_of_stories()
    row = live.rollup.rows["district:4701"]
    live.rollup.apply(replace(row, version=row.version + 1,
                              figures={**row.figures, "registrants": row.figures["registrants"] + 2,
                                       "closed": 0}))
    recomputed = recompute(story.line() for story in stories())
    found = differences(recomputed, live)
    assert found == [
        Difference("nation", "", "registrants", 4, 6), Difference("nation", "", "closed", 1, 0),
        Difference("province", "47", "registrants", 3, 5), Difference("province", "47", "closed", 1, 0),
        Difference("district", "4701", "registrants", 3, 5), Difference("district", "4701", "closed", 1, 0),
    ]
    assert [d.delta for d in found] == [2, -1, 2, -1, 2, -1]


def test_a_unit_only_one_side_knows_is_a_difference_in_every_figure() -> None:
    live = live_of_stories()
    live.rollup.apply(TotalsRow("1001", None, 1, {"registrants": 1, "debts": 3}))  # Bangkok: no such case
    missing = recompute(story.line() for story in stories() if story.case_id != "c-3")  # 4801's case not read
    found = {(d.level, d.code, d.figure): (d.expected, d.live) for d in differences(missing, live)}
    assert found[("district", "1001", "registrants")] == (0, 1)
    assert found[("province", "10", "debts")] == (0, 3)
    assert found[("district", "4801", "registrants")] == (0, 1)
    assert found[("province", "48", "transfers_in_other_province")] == (0, 1)
    assert found[("nation", "", "registrants")] == (3, 5)


def test_an_empty_export_against_empty_totals_agrees() -> None:
    assert differences(recompute([]), LiveView(RollUp())) == []


@pytest.mark.parametrize("broken", [
    {"kind": "case", "case_id": "x", "revision": 1, "province_code": "48", "district_code": "4701",
     "status": "new", "facts": None, "transfers": []},  # a district outside its province, no facts
    {"kind": "case", "case_id": "x", "revision": 2, "province_code": "47", "district_code": "4701", "status": "new",
     "facts": {"channel": "self_online", "creditor_count": -1}, "transfers": []},
    {"kind": "head"},
])
def test_a_line_no_case_can_have_is_refused_and_counts_nothing(broken: dict[str, object]) -> None:
    lines = [story.line() for story in stories()]
    recomputed = recompute([*lines[:2], broken, *lines[2:]])
    assert recomputed.cases == 5 and len(recomputed.refused) == 1
    assert differences(recomputed, live_of_stories()) == []


def test_a_transfer_with_an_impossible_district_is_refused() -> None:
    line = stories()[2].line()
    line["transfers"] = [{"from_province_code": "47", "from_district_code": "9999", "to_province_code": "48",
                          "to_district_code": "4801"}]
    assert len(recompute([line]).refused) == 1


def test_only_a_difference_seen_twice_by_the_same_amount_is_confirmed() -> None:
    stuck = Difference("district", "4701", "registrants", 10, 12)
    in_flight = Difference("district", "4702", "registrants", 5, 4)  # the stream was one case behind
    moving = Difference("district", "4801", "debts", 7, 6)
    first = [stuck, in_flight, moving]
    second = [replace(stuck, expected=11, live=13),  # traffic moved both sides by one: still +2
              Difference("district", "4801", "debts", 9, 7),  # another change in flight: -2 now
              Difference("province", "10", "closed", 0, 1)]  # new since the first read
    settled = settle(first, second)
    assert settled.confirmed == [replace(stuck, expected=11, live=13)]
    assert [d.key for d in settled.unsettled] == [("district", "4801", "debts"), ("province", "10", "closed")]
    assert settle(first, []).confirmed == [] and settle(first, []).unsettled == []


def test_differences_survive_json() -> None:
    d = Difference("province", "47", "principal_satang", 100, 250)
    assert Difference.from_json(d.as_json()) == d and d.as_json()["delta"] == 150
