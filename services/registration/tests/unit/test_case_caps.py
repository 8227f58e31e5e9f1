"""Found #2 and #3 of issue 8: what a case may carry is bounded on registration and on every addition, creditor
numbers agree with the debts routes, and impossible totals are refused with an alarm instead of stored."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY

from contracts.claims import Claims, Role
from registration.cases.case import Case
from registration.cases.docs import Doc, case_doc, case_from_doc, creditor_doc
from registration.cases.errors import Conflict, Invalid, NotFound
from registration.cases.events import Actor
from registration.cases.model import Address, Channel, Creditor, Debt, Debtor, ImpossibleTotals, NewCase, Totals
from registration.cases.store import CaseRepository
from registration.intake.case_forms import creditor_number, room
from registration.intake.schemas import CreditorsRequest, DebtsRequest
from registration.intake.use_cases import Intake
from registration.intake.validation import DeskOfficer, validate_registration
from registration.kernel.limits import (
    MAX_CREDITORS_PER_CASE,
    MAX_DEBTS_PER_CASE,
    MAX_DEBTS_PER_CREDITOR,
    CaseShape,
)
from registration.web.context import PageProblem

TODAY = date(2026, 12, 1)
DEBT = {"principal": "1,000", "outstanding": "1,000"}
BODY: dict[str, Any] = {
    "channel": "desk",
    "debtor": {"citizen_id": "1101700230708", "given_name": "สมชาย", "family_name": "ทดสอบ", "birth_date": "01/02/2530",
               "phone": "0812345678", "address": {"line": "1 หมู่ 2", "subdistrict_code": "470101",
                                                  "district_code": "4701", "province_code": "47"}},
    "creditors": [{"kind": "person", "debts": [DEBT]}],
    "help_wanted": ["mediation"],
    "privacy_acknowledged": True,
}
OFFICER = Claims(sub="officer", roles=frozenset({Role.REGISTRAR}), unit_code="4701")
ACTOR = Actor.of("officer", ["registrar"], "4701")


def codes(result: object) -> set[str]:
    assert isinstance(result, list), result
    return {e.code for e in result}


def test_one_registration_cannot_carry_more_debts_or_money_than_a_case_may() -> None:
    body = copy.deepcopy(BODY)
    body["creditors"] = [{"kind": "unknown", "debts": [DEBT] * 20} for _ in range(20)]  # 400 debts
    assert "case.too_many_debts" in codes(validate_registration(body, today=TODAY, desk=DeskOfficer("4701", "s")))
    body["creditors"] = [{"kind": "unknown", "debts": [{"principal": "100,000,000", "outstanding": "100,000,000"}] * 6}]
    assert codes(validate_registration(body, today=TODAY, desk=DeskOfficer("4701", "s"))) == {"case.total_too_large"}
    body["creditors"] = [{"kind": "unknown", "debts": [{"principal": "100,000,000.01", "outstanding": "1"}]}]
    assert codes(validate_registration(body, today=TODAY, desk=DeskOfficer("4701", "s"))) == {"money.too_large"}


def test_a_case_as_large_as_allowed_is_accepted() -> None:
    body = copy.deepcopy(BODY)
    body["creditors"] = [{"kind": "unknown", "debts": [{"principal": "100,000,000", "outstanding": "100,000,000"}] * 5}]
    assert not isinstance(validate_registration(body, today=TODAY, desk=DeskOfficer("4701", "s")), list)


def test_case_shape_counts_every_cap() -> None:
    one = Creditor((Debt(100, 100),))
    full = CaseShape.of([one] * MAX_CREDITORS_PER_CASE)
    assert full.problems("creditors") == []
    assert [e.code for e in full.plus_creditors([one]).problems("creditors")] == ["case.too_many_creditors"]
    assert not full.room_for_creditors()
    busy = CaseShape((MAX_DEBTS_PER_CREDITOR, 1), 0, 0)
    assert not busy.room_for_debts(0) and busy.room_for_debts(1)
    assert [e.code for e in busy.plus_debts(0, [Debt(1, 1)]).problems("debts")] == ["case.too_many_debts_for_creditor"]
    crowded = CaseShape((MAX_DEBTS_PER_CREDITOR,) * (MAX_DEBTS_PER_CASE // MAX_DEBTS_PER_CREDITOR) + (0,), 0, 0)
    assert not crowded.room_for_debts(len(crowded.debts_per_creditor) - 1) and not crowded.room_for_creditors()


@pytest.mark.parametrize("value", [2**63, -1, 1.0, 1e20, True, "1"])
def test_impossible_totals_cannot_be_made(value: object) -> None:
    with pytest.raises(ImpossibleTotals):
        Totals(0, 0, value, 0)  # type: ignore[arg-type]
    assert Totals(1, 1, 2**63 - 1, 0).principal_satang == 2**63 - 1


class FakeCases(CaseRepository):
    """The one case the intake changes, in memory; the cases the store would write are kept in ``added``."""

    def __init__(self, doc: Doc) -> None:  # no database
        self.doc = doc
        self.added: list[Case] = []

    def find(self, case_id: str) -> Case | None:
        return case_from_doc(self.doc) if case_id == self.doc["_id"] else None

    def record(self, event: Any, topic: str = "audit-events") -> None:
        pass

    def change(self, case: Case, events: Any) -> Case:
        self.added.append(case)
        return case


def case_with(creditors: int, debts_each: int = 1, principal: Any = None) -> Doc:
    debtor = Debtor("1101700230708", "สมชาย", "ทดสอบ", Address("1 หมู่ 2", "470101", "4701", "47"))
    doc = case_doc("c-1", "47-2569-000001", "2569", NewCase(debtor, Channel.DESK, unit_code="4701"),
                   datetime(2026, 11, 1, tzinfo=UTC), "test")
    debt = Debt(100, 100)
    total = creditors * debts_each * 100
    doc["creditors"] = [creditor_doc(Creditor((debt,) * debts_each)) for _ in range(creditors)]
    doc["totals"] = {"creditor_count": creditors, "debt_count": creditors * debts_each,
                     "principal_satang": total if principal is None else principal, "outstanding_satang": total}
    return doc


def intake(doc: Doc) -> tuple[Intake, FakeCases]:
    cases = FakeCases(doc)
    return Intake(cases, clock=lambda: datetime(2026, 12, 1, 3, tzinfo=UTC)), cases


def creditors_body(n: int) -> CreditorsRequest:
    return CreditorsRequest.model_validate({"creditors": [{"kind": "unknown", "debts": [DEBT]}] * n})


def test_adding_creditors_stops_at_the_cap_whatever_route_grows_the_case() -> None:
    use, cases = intake(case_with(MAX_CREDITORS_PER_CASE - 2))
    use.add_creditors("c-1", creditors_body(2), OFFICER, ACTOR)
    assert len(cases.added) == 1  # up to the cap: stored
    use, cases = intake(case_with(MAX_CREDITORS_PER_CASE - 2))
    with pytest.raises(Invalid) as refused:
        use.add_creditors("c-1", creditors_body(3), OFFICER, ACTOR)
    assert [(e.field, e.code) for e in refused.value.errors] == [("creditors", "case.too_many_creditors")]
    assert "50" in refused.value.errors[0].th and cases.added == []


def test_debts_go_to_every_creditor_the_cap_allows_and_no_further() -> None:
    body = DebtsRequest.model_validate({"debts": [DEBT]})
    use, cases = intake(case_with(MAX_CREDITORS_PER_CASE))
    use.add_debts("c-1", MAX_CREDITORS_PER_CASE, body, OFFICER, ACTOR)  # the last creditor is usable
    [grown] = cases.added
    assert [len(c.debts) for c in grown.creditors] == [1] * (MAX_CREDITORS_PER_CASE - 1) + [2]
    with pytest.raises(NotFound):
        use.add_debts("c-1", MAX_CREDITORS_PER_CASE + 1, body, OFFICER, ACTOR)
    use, cases = intake(case_with(2, debts_each=MAX_DEBTS_PER_CREDITOR))
    with pytest.raises(Invalid) as refused:
        use.add_debts("c-1", 1, body, OFFICER, ACTOR)
    assert [e.code for e in refused.value.errors] == ["case.too_many_debts_for_creditor"] and cases.added == []


def _alarms() -> float:
    return REGISTRY.get_sample_value("case_totals_impossible_total") or 0.0


@pytest.mark.parametrize("stored", [2**63, 1e18, -5])
def test_a_change_to_a_case_with_impossible_stored_totals_is_refused_with_an_alarm(
        stored: object, caplog: pytest.LogCaptureFixture) -> None:
    use, cases = intake(case_with(1, principal=stored))
    before = _alarms()
    with pytest.raises(Conflict) as refused:
        use.add_creditors("c-1", creditors_body(1), OFFICER, ACTOR)
    assert refused.value.detail["code"] == "case.totals_impossible" and cases.added == []
    assert _alarms() == before + 1 and "impossible totals" in caplog.text


@pytest.mark.parametrize("raw", ["0", "51", "101", "-1", "abc", "1.0", "๑", "9" * 400])
def test_a_page_refuses_creditor_numbers_outside_the_case_range_with_its_own_404(raw: str) -> None:
    with pytest.raises(PageProblem) as problem:
        creditor_number(raw)
    assert problem.value.status == 404


def test_pages_offer_debts_only_where_the_caps_leave_room() -> None:
    assert creditor_number(str(MAX_CREDITORS_PER_CASE)) == MAX_CREDITORS_PER_CASE
    shape = room(case_from_doc(case_with(2, debts_each=MAX_DEBTS_PER_CREDITOR)))
    assert not shape.room_for_debts(0) and not shape.room_for_debts(1) and shape.room_for_creditors()


def render(template: str, case: Case, **values: Any) -> str:
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

    from registration.intake import FEATURE
    from registration.intake.case_forms import CaseForms
    from registration.intake.flow import DESK
    from registration.web import labels
    from registration.web.context import TEMPLATES

    loader = ChoiceLoader([FileSystemLoader(TEMPLATES), FileSystemLoader(str(FEATURE.templates))])
    env = Environment(loader=loader, autoescape=select_autoescape(["html"]))
    env.globals.update(labels.template_globals())
    where = CaseForms(DESK, case.id, f"/desk/case/{case.id}", "/desk")
    return env.get_template(template).render(
        tr=lambda th, en: th, lang="th", case=case, where=where, room=room(case), desk=True, errors=[], by_field={},
        error_link=lambda e: "#", field_id=lambda f: f, draft={"creditors": []}, max_creditors=MAX_CREDITORS_PER_CASE,
        max_debts=MAX_DEBTS_PER_CREDITOR, max_case_debts=MAX_DEBTS_PER_CASE, **values)


def test_the_case_page_links_every_creditor_it_may_add_debts_to_and_nothing_else() -> None:
    full = case_from_doc(case_with(MAX_CREDITORS_PER_CASE))
    html = render("more.html", full)
    linked = [n for n in range(1, MAX_CREDITORS_PER_CASE + 2) if f"/creditors/{n}/debts\"" in html]
    assert linked == list(range(1, MAX_CREDITORS_PER_CASE + 1)) and 'id="case-full"' in html
    assert 'action="/desk/case/c-1"' not in html  # no form for creditors the case cannot take
    busy = case_from_doc(case_with(2, debts_each=MAX_DEBTS_PER_CREDITOR))
    html = render("more.html", busy)
    assert "/creditors/1/debts\"" not in html and 'action="/desk/case/c-1"' in html
    page = render("add_debts.html", busy, creditor=busy.creditors[0], creditor_no=1, rows=[])
    assert 'id="creditor-full"' in page and "/creditors/1/debts\" novalidate" not in page
