"""A reconciliation run with in-memory fakes: a difference in flight settles on the second read, a real one is
confirmed by unit and figure, failures are stored as results."""

from __future__ import annotations

from dataclasses import replace

from reporting.reconcile.client import ExportFailed
from reporting.reconcile.compare import Difference

from .reconcile_fakes import CaseStory, Export, LiveView, Results, job, metric, started, stories, stream


def test_totals_that_agree_are_read_once_and_stored_with_the_metrics() -> None:
    cases = stories()
    results, export = Results(), Export([c.line() for c in cases])
    before = metric("reconciliation_runs_total", {"outcome": "succeeded"}) or 0
    result = job(export, LiveView(stream(e for c in cases for e in c.events)), results).run(started())
    assert (result.outcome, result.reads, result.cases_read, result.differences, result.unsettled) == (
        "succeeded", 1, 4, [], [])
    assert result.duration_s == 1.0 and export.count == 1
    assert results.writes == ["running", "succeeded"] and results.saved["run-1"] == result
    assert metric("reconciliation_differences", {"level": "district"}) == 0
    assert metric("reconciliation_last_success_timestamp_seconds") == result.finished_at.timestamp()  # type: ignore[union-attr]
    assert metric("reconciliation_runs_total", {"outcome": "succeeded"}) == before + 1


def test_a_case_still_in_flight_settles_on_the_second_read() -> None:
    cases = stories()
    late = CaseStory("c-5", "4801", channel="desk")  # registered; its event not yet through the stream
    live = LiveView(stream(e for c in cases for e in c.events))

    def stream_catches_up(seconds: float) -> None:
        assert seconds == 30
        live.rollup = stream(e for c in [*cases, late] for e in c.events)

    result = job(Export([c.line() for c in [*cases, late]]), live, Results(), stream_catches_up).run(started())
    assert (result.outcome, result.reads, result.differences, result.unsettled) == ("succeeded", 2, [], [])


def test_a_wrong_total_is_confirmed_by_unit_and_figure() -> None:
    cases = stories()
    live = LiveView(stream(e for c in cases for e in c.events))
    row = live.rollup.rows["district:4801"]
    live.rollup.apply(replace(row, version=row.version + 1, figures={**row.figures, "debts": 5}))
    result = job(Export([c.line() for c in cases]), live, Results()).run(started())
    assert result.reads == 2 and result.unsettled == []
    assert result.differences == [Difference("nation", "", "debts", 9, 12), Difference("province", "48", "debts", 2, 5),
                                  Difference("district", "4801", "debts", 2, 5)]
    assert result.by_level == {"nation": 1, "province": 1, "district": 1}
    assert metric("reconciliation_differences", {"level": "province"}) == 1


def test_a_difference_that_moves_between_reads_is_unsettled_not_confirmed() -> None:
    cases = stories()
    live = LiveView(stream(e for c in cases for e in c.events))  # the stream has not seen c-6 nor c-7
    c6, c7 = CaseStory("c-6", "4801"), CaseStory("c-7", "4801")
    first, second = [c.line() for c in [*cases, c6]], [c.line() for c in [*cases, c6, c7]]
    result = job(Export(first, second), live, Results()).run(started())
    assert result.differences == [] and result.reads == 2
    unsettled = {(d.level, d.code, d.figure): d.delta for d in result.unsettled}
    assert unsettled[("district", "4801", "registrants")] == -2  # -1 at the first read: still moving


def test_nothing_is_compared_before_the_live_totals_have_caught_up() -> None:
    export, results = Export([]), Results()
    result = job(export, LiveView(stream([]), ready=False), results).run(started())
    assert result.outcome == "failed" and "not caught up" in (result.error or "")
    assert export.count == 0 and results.writes == ["running", "failed"]


def test_a_failed_export_is_a_failed_run_not_a_result() -> None:
    cases = stories()
    failing = Export([c.line() for c in cases], fail=ExportFailed("the figures export was cut short after 1 cases"))
    result = job(failing, LiveView(stream(e for c in cases for e in c.events)), Results()).run(started())
    assert result.outcome == "failed" and result.error == (
        "ExportFailed: the figures export was cut short after 1 cases")
    assert result.differences == [] and result.cases_read == 0
