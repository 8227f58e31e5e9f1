"""The monthly cycle's rules and use cases against in-memory fakes (reporting.monthly.report and .cycle)."""

from __future__ import annotations

from datetime import datetime

import pytest

from contracts import codec
from contracts.claims import Claims, Role
from reporting.monthly.cycle import MonthlyCycle
from reporting.monthly.periods import BANGKOK, Period
from reporting.monthly.report import TRANSITIONS, Refused, Report, check_reason

from .monthly_fakes import World

OCTOBER = Period.parse("2026-10")


def officer(role: Role, unit: str | None = None, sub: str = "officer") -> Claims:
    return Claims(sub=sub, roles=frozenset({role}), unit_code=unit)


DO = {code: officer(Role.DISTRICT_OFFICER, code, f"do-{code}") for code in ("4701", "4702", "4703", "4801")}
PO_47, PO_48 = officer(Role.PROVINCE_OFFICER, "47", "po-47"), officer(Role.PROVINCE_OFFICER, "48", "po-48")
DOPA = officer(Role.DOPA_ADMIN, None, "dopa")


def at(world: World, year: int, month: int, day: int, hour: int, minute: int) -> None:
    world.clock.now = datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


@pytest.fixture
def world() -> World:
    w = World()
    at(w, 2026, 11, 10, 9, 0)
    w.totals.set("4701", {"registrants": 10, "contacted": 4, "principal_satang": 500_000})
    w.totals.set("4701", {"registrations": 2, "contacts": 1}, day="2026-10-05")
    w.totals.set("4701", {"registrations": 3, "contacts": 2}, day="2026-10-31")
    w.totals.set("4701", {"registrations": 5}, day="2026-11-01")  # November: not October's activity
    w.totals.set("4702", {"registrants": 7})
    return w


def test_the_transition_table_is_the_whole_life_of_a_report() -> None:
    assert dict(TRANSITIONS) == {("not_submitted", "submit"): "submitted", ("returned", "submit"): "submitted",
                                 ("submitted", "return"): "returned"}


def test_a_submission_freezes_the_cumulative_figures_and_the_months_activity(world: World) -> None:
    cycle = world.cycle()
    report = cycle.submit(DO["4701"], "4701", OCTOBER)
    assert report.state == "submitted" and report.revision == 1
    (version,) = report.submissions
    assert version.figures == {"registrants": 10, "contacted": 4, "principal_satang": 500_000}
    assert version.activity == {"registrations": 5, "contacts": 3}
    assert (version.version, version.timeliness, version.submitted_by) == (1, "on_time", "do-4701")
    # Later events change the live totals, never the submitted snapshot.
    world.totals.set("4701", {"registrants": 99, "contacted": 50, "principal_satang": 1})
    world.totals.set("4701", {"registrations": 40}, day="2026-10-20")
    view = cycle.view(DO["4701"], "4701", OCTOBER)
    assert view.report.submissions[0].figures["registrants"] == 10
    assert view.report.submissions[0].activity == {"registrations": 5, "contacts": 3}
    assert view.live_figures["registrants"] == 99 and view.live_activity["registrations"] == 45


def test_the_month_must_be_over_to_submit(world: World) -> None:
    at(world, 2026, 10, 31, 23, 0)
    with pytest.raises(Refused) as refused:
        world.cycle().submit(DO["4701"], "4701", OCTOBER)
    assert (refused.value.code, refused.value.status) == ("report.period_open", 409)
    assert "ตุลาคม 2569" in refused.value.th


def test_submitting_twice_is_refused_and_emits_one_event(world: World) -> None:
    cycle = world.cycle()
    cycle.submit(DO["4701"], "4701", OCTOBER)
    with pytest.raises(Refused) as refused:
        cycle.submit(DO["4701"], "4701", OCTOBER)
    assert refused.value.code == "report.already_submitted"
    assert [e["event_type"] for e in world.store.outbox] == ["ReportSubmitted"]


def test_late_after_the_30th_of_the_next_month_in_bangkok(world: World) -> None:
    at(world, 2026, 12, 1, 0, 0)
    report = world.cycle().submit(DO["4701"], "4701", OCTOBER)
    assert report.submissions[0].timeliness == "late"
    (event,) = world.store.outbox
    assert (event["timeliness"], event["due_date"], event["fiscal_year"]) == ("late", "2026-11-30", 2570)


def test_return_needs_a_thai_reason_and_resubmission_keeps_every_version(world: World) -> None:
    cycle = world.cycle()
    cycle.submit(DO["4701"], "4701", OCTOBER)
    for reason, code in (("", "reason.required"), ("   ", "reason.required"), ("figures wrong", "reason.thai"),
                         ("ก" * 1001, "reason.too_long")):
        with pytest.raises(Refused) as refused:
            cycle.return_(PO_47, "4701", OCTOBER, reason)
        assert (refused.value.code, refused.value.status, refused.value.field) == (code, 422, "reason")
    returned = cycle.return_(PO_47, "4701", OCTOBER, "  ตัวเลขการไกล่เกลี่ย\nยังไม่ครบ  ")
    assert returned.state == "returned"
    assert returned.returns[0].reason == "ตัวเลขการไกล่เกลี่ย ยังไม่ครบ"
    with pytest.raises(Refused) as twice:
        cycle.return_(PO_47, "4701", OCTOBER, "ส่งคืนอีกครั้ง")
    assert twice.value.code == "report.not_submitted"
    world.totals.set("4701", {"registrants": 12, "contacted": 6, "principal_satang": 500_000})
    at(world, 2026, 12, 2, 9, 0)
    again = cycle.submit(DO["4701"], "4701", OCTOBER)
    assert [(s.version, s.timeliness, s.figures["registrants"]) for s in again.submissions] == [
        (1, "on_time", 10), (2, "late", 12)]
    assert again.first_timeliness == "on_time"
    kinds = [(e["event_type"], e.get("report_version")) for e in world.store.outbox]
    assert kinds == [("ReportSubmitted", 1), ("ReportReturned", 1), ("ReportSubmitted", 2)]
    returned_event = world.store.outbox[1]
    assert returned_event["reason"] == "ตัวเลขการไกล่เกลี่ย ยังไม่ครบ"
    for event in world.store.outbox:
        assert codec.validate_for_produce(event)[0] == event["event_type"]
        assert codec.encode("report-events", event)[0] == b"4701"


def test_the_province_submits_once_all_its_districts_have(world: World) -> None:
    cycle = world.cycle()
    cycle.submit(DO["4701"], "4701", OCTOBER)
    with pytest.raises(Refused) as pending:
        cycle.submit(PO_47, "47", OCTOBER)
    assert pending.value.code == "report.districts_pending"
    assert pending.value.extra == {"pending": ["4702", "4703"]}
    cycle.submit(DO["4702"], "4702", OCTOBER)
    cycle.submit(DO["4703"], "4703", OCTOBER)
    cycle.return_(PO_47, "4703", OCTOBER, "กรุณาตรวจสอบยอดผู้ลงทะเบียน")
    with pytest.raises(Refused) as still:
        cycle.submit(PO_47, "47", OCTOBER)
    assert still.value.extra == {"pending": ["4703"]}  # a returned report is not in
    cycle.submit(DO["4703"], "4703", OCTOBER)
    province = cycle.submit(PO_47, "47", OCTOBER)
    assert province.submissions[0].districts == {"4701": 1, "4702": 1, "4703": 2}
    assert province.submissions[0].figures["registrants"] == 17
    # Once the province has submitted, its districts are locked until DOPA returns the province's report.
    with pytest.raises(Refused) as locked:
        cycle.return_(PO_47, "4701", OCTOBER, "แก้ไขตัวเลข")
    assert locked.value.code == "report.locked"
    cycle.return_(DOPA, "47", OCTOBER, "ยอดรวมจังหวัดไม่ตรงกับรายงานอำเภอ")
    assert cycle.return_(PO_47, "4701", OCTOBER, "แก้ไขตัวเลข").state == "returned"


@pytest.mark.parametrize(("who", "unit"), [
    (DO["4702"], "4701"), (PO_47, "4701"), (DOPA, "4701"), (DOPA, "47"), (PO_48, "47"),
    (officer(Role.REGISTRAR, "4701"), "4701"),
])
def test_only_the_units_own_officer_submits(world: World, who: Claims, unit: str) -> None:
    with pytest.raises(Refused) as refused:
        world.cycle().submit(who, unit, OCTOBER)
    assert refused.value.status == 403
    assert world.store.outbox == []


def test_returns_come_from_one_level_up(world: World) -> None:
    cycle = world.cycle()
    cycle.submit(DO["4701"], "4701", OCTOBER)
    for who, unit in ((DO["4701"], "4701"), (PO_48, "4701"), (DOPA, "4701")):
        with pytest.raises(Refused) as refused:
            cycle.return_(who, unit, OCTOBER, "ส่งคืน")
        assert refused.value.status == 403


def test_reading_is_scoped_and_unknown_units_are_404(world: World) -> None:
    cycle = world.cycle()
    assert cycle.view(PO_47, "4701", OCTOBER).may_return is True
    assert cycle.view(DO["4701"], "4701", OCTOBER).may_submit is True
    with pytest.raises(Refused) as other:
        cycle.view(DO["4702"], "4701", OCTOBER)
    assert other.value.status == 403
    with pytest.raises(Refused) as unknown:
        cycle.view(DOPA, "4799", OCTOBER)
    assert unknown.value.status == 404
    view = cycle.view(PO_47, "47", OCTOBER)
    assert [(u.code, r.state) for u, r in view.districts] == [("4701", "not_submitted"), ("4702", "not_submitted"),
                                                               ("4703", "not_submitted")]


def test_completeness_board_per_province_and_nation_sortable(world: World) -> None:
    cycle = world.cycle()
    cycle.submit(DO["4701"], "4701", OCTOBER)
    at(world, 2026, 12, 1, 8, 0)
    cycle.submit(DO["4702"], "4702", OCTOBER)  # late
    cycle.submit(DO["4801"], "4801", OCTOBER)  # late
    cycle.return_(PO_48, "4801", OCTOBER, "ข้อมูลไม่ครบ")
    board = cycle.board(PO_47, OCTOBER)
    assert (board.level, board.expected, board.submitted, board.on_time, board.late) == ("province", 3, 2, 1, 1)
    assert board.reporting_rate == 66.7 and board.on_time_rate == 33.3
    assert [(r.unit.code, r.state, r.timeliness) for r in board.rows] == [
        ("4701", "submitted", "on_time"), ("4702", "submitted", "late"), ("4703", "not_submitted", None)]
    nation = cycle.board(DOPA, OCTOBER, sort="-rate")
    assert [(r.unit.code, r.expected, r.submitted, r.returned, r.reporting_rate) for r in nation.rows] == [
        ("47", 3, 2, 0, 66.7), ("48", 2, 0, 1, 0.0)]
    assert (nation.expected, nation.submitted, nation.on_time, nation.late, nation.returned) == (5, 2, 1, 2, 1)
    assert [r.unit.code for r in cycle.board(DOPA, OCTOBER, sort="rate").rows] == ["48", "47"]
    assert [r.unit.code for r in cycle.board(DOPA, OCTOBER, sort="-code").rows] == ["48", "47"]
    assert cycle.board(DOPA, OCTOBER, province="48").rows[0].state == "returned"
    for who, province in ((DO["4701"], None), (PO_47, "48"), (officer(Role.AUDITOR), None)):
        with pytest.raises(Refused) as refused:
            cycle.board(who, OCTOBER, province=province)
        assert refused.value.status == 403
    with pytest.raises(Refused) as bad_sort:
        cycle.board(DOPA, OCTOBER, sort="salary")
    assert bad_sort.value.status == 422


def test_overdue_once_per_unit_and_period(world: World) -> None:
    cycle = world.cycle()
    cycle.submit(DO["4701"], "4701", OCTOBER)
    assert cycle.check_overdue(OCTOBER) == 0  # 10 November: nothing due yet
    at(world, 2026, 11, 30, 23, 59)
    assert cycle.check_overdue(OCTOBER) == 0  # the last minute of the due day
    cycle.submit(DO["4702"], "4702", OCTOBER)
    cycle.return_(PO_47, "4702", OCTOBER, "กรุณาแก้ไข")
    at(world, 2026, 12, 1, 0, 1)
    assert cycle.check_overdue(OCTOBER) == 4  # 4702 (returned), 4703, 4801, 4802; provinces not yet due
    overdue = {e["unit_code"]: e for e in world.store.outbox if e["event_type"] == "ReportOverdue"}
    assert sorted(overdue) == ["4702", "4703", "4801", "4802"]
    assert overdue["4702"]["state"] == "returned" and overdue["4703"]["state"] == "not_submitted"
    assert cycle.check_overdue(OCTOBER) == 0  # once only
    cycle.submit(DO["4703"], "4703", OCTOBER)
    at(world, 2026, 12, 7, 0, 0)
    assert cycle.check_overdue(OCTOBER) == 2  # both provinces now; no district again
    assert [e["unit_code"] for e in world.store.outbox if e["event_type"] == "ReportOverdue"][-2:] == ["47", "48"]
    assert cycle.check_overdue(OCTOBER) == 0
    # November's districts fall due on 30 December.
    at(world, 2026, 12, 31, 0, 0)
    assert cycle.check_overdue(OCTOBER) == 5


def test_overdue_before_the_first_tracked_period_is_not_raised(world: World) -> None:
    at(world, 2026, 12, 1, 0, 1)
    assert world.cycle().check_overdue(Period.parse("2026-11")) == 0


def test_reason_is_normalised() -> None:
    assert check_reason(" ก  ข\tค ") == "ก ข ค"


def test_a_stale_write_is_refused(world: World) -> None:
    cycle: MonthlyCycle = world.cycle()
    cycle.submit(DO["4701"], "4701", OCTOBER)
    from reporting.monthly.store import StaleReport

    with pytest.raises(StaleReport):
        world.store.save(Report("4701", OCTOBER, "submitted", revision=1), [], world.clock())
