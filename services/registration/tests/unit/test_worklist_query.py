"""The worklist's query building, without a database: reading the GET form, the base filter per scope, the
segments of each sort, the keyset finds after and before a position, the signed cursor, and the rewrite for
the dev stand-in (nx-27017)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from registration.cases.case import Status
from registration.casework.worklist_cursor import Cursor, Position, field_value, sort_value
from registration.casework.worklist_nx import for_nx_27017, nx_time
from registration.casework.worklist_query import Filter, build_filter, finds, plan, segments, thai_midnight
from registration.casework.worklist_request import (
    DEBT,
    DUE,
    REGISTERED,
    TIE,
    Scope,
    Search,
    WorklistQuery,
    parse_query,
    parse_search,
)

TODAY = date(2026, 12, 1)
DISTRICT = Scope("district", "4701")
SECRET = b"unit-test-secret"


def params(**values: str | list[str]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in values.items()}


# ---- the GET form ----

def test_an_empty_form_is_the_default_worklist() -> None:
    query, errors = parse_query({}, TODAY)
    assert errors == []
    assert query == WorklistQuery()
    assert (query.sort, query.descending, query.size) == ("registered", True, 50)


def test_the_form_is_read_into_a_query() -> None:
    query, errors = parse_query(params(status=["contacting", "new", "nonsense"], flag=["threatened", "x"],
                                       due="within", due_days="๑๔", assigned="me", subdistrict="470101",
                                       sort="debt", order="asc", size="25", age="30",
                                       **{"from": "1/10/2569", "to": "2026-11-30"}), TODAY)
    assert errors == []
    assert query.statuses == (Status.NEW, Status.CONTACTING)  # workflow order, unknown ones dropped
    assert query.flags == ("threatened",)
    assert (query.due, query.due_days, query.assigned) == ("within", 14, "me")
    assert query.subdistrict_code == "470101"
    assert (query.sort, query.descending, query.size, query.min_age_days) == ("debt", False, 25, 30)
    assert (query.registered_from, query.registered_to) == (date(2026, 10, 1), date(2026, 11, 30))  # BE read


def test_unreadable_values_become_field_errors_and_are_left_out() -> None:
    query, errors = parse_query(params(age="abc", due_days="9999", sort="sideways", size="7",
                                       **{"from": "2027-01-01", "to": "31/02/2569"}), TODAY)
    assert {e.field for e in errors} == {"age", "due_days", "from", "to"}
    assert {e.code for e in errors} >= {"worklist.days", "date.future", "date.invalid"}
    assert all(e.th and e.en for e in errors)
    assert (query.min_age_days, query.registered_from, query.registered_to) == (None, None, None)
    assert (query.sort, query.size, query.due_days) == ("registered", 50, 7)


def test_a_start_after_the_end_is_refused() -> None:
    _, errors = parse_query(params(**{"from": "2026-11-20", "to": "2026-11-01"}), TODAY)
    assert [(e.field, e.code) for e in errors] == [("to", "worklist.date_range")]


@pytest.mark.parametrize(("typed", "kind", "value"), [
    ("47-2569-000123", "receipt", "47-2569-000123"),
    ("๔๗ ๒๕๖๙ ๐๐๐๑๒๓", "receipt", "47-2569-000123"),
    ("1-1017-00230-70-8", "citizen_id", "1101700230708"),
    ("1101700230708", "citizen_id", "1101700230708"),
    ("47-2569-1234567", "receipt", "47-2569-1234567"),
    ("  สมศรี   ใจ ", "name", "สมศรี ใจ"),
    ("Somsri", "name", "somsri"),
])
def test_search_tells_receipts_ids_and_names_apart(typed: str, kind: str, value: str) -> None:
    assert parse_search(typed) == Search(kind, value)  # type: ignore[arg-type]


def test_a_bad_citizen_id_or_a_one_letter_name_is_a_field_error() -> None:
    for typed in ("1101700230709", "ส"):
        problem = parse_search(typed)
        assert not isinstance(problem, Search) and problem is not None and problem.field == "q"
    assert parse_search("   ") is None


# ---- the filter ----

def test_each_scope_filters_on_its_own_unit_with_an_indexable_equality() -> None:
    assert build_filter(WorklistQuery(), DISTRICT, "me", TODAY).where == {"district_code": {"$eq": "4701"}}
    assert build_filter(WorklistQuery(), Scope("province", "47"), "me", TODAY).where == {
        "province_code": {"$eq": "47"}}
    assert build_filter(WorklistQuery(), Scope("nation", "TH"), "me", TODAY).where == {}


def test_a_province_narrows_to_its_own_districts_only() -> None:
    province = Scope("province", "47")
    assert build_filter(WorklistQuery(district_code="4702"), province, "me", TODAY).where == {
        "province_code": {"$eq": "47"}, "district_code": {"$eq": "4702"}}
    # Another province's district is not a way out of the scope.
    assert "district_code" not in build_filter(WorklistQuery(district_code="1001"), province, "me", TODAY).where
    # A district officer's own district is the scope; a district filter is ignored.
    assert build_filter(WorklistQuery(district_code="4702"), DISTRICT, "me", TODAY).where == {
        "district_code": {"$eq": "4701"}}
    nation = build_filter(WorklistQuery(province_code="48", district_code="4801"), Scope("nation", "TH"), "me", TODAY)
    assert nation.where == {"province_code": {"$eq": "48"}, "district_code": {"$eq": "4801"}}


def test_filters_become_conditions() -> None:
    query = WorklistQuery(statuses=(Status.NEW, Status.CONTACTING), flags=("threatened", "collateral_held"),
                          subdistrict_code="470101", assigned="none", registered_from=date(2026, 11, 1),
                          registered_to=date(2026, 11, 30), min_age_days=10, due="overdue")
    found = build_filter(query, DISTRICT, "officer-sub", TODAY)
    assert found.where == {
        "district_code": {"$eq": "4701"}, "subdistrict_code": {"$eq": "470101"},
        "status": {"$in": ["new", "contacting"]}, "threatened": {"$eq": True}, "collateral_held": {"$eq": True},
        REGISTERED: {"$gte": datetime(2026, 10, 31, 17, tzinfo=UTC),
                     # the tighter of "until 30 November" and "at least 10 days ago" (registered by 21 November)
                     "$lt": datetime(2026, 11, 21, 17, tzinfo=UTC)},
        "assigned_to": {"$eq": None},
    }
    assert found.due_before == "2026-12-01"
    one = build_filter(WorklistQuery(statuses=(Status.NEW,), assigned="me"), DISTRICT, "officer-sub", TODAY)
    assert one.where["status"] == {"$eq": "new"} and one.where["assigned_to"] == {"$eq": "officer-sub"}


def test_due_within_includes_the_overdue_and_the_last_day() -> None:
    found = build_filter(WorklistQuery(due="within", due_days=7), DISTRICT, "me", TODAY)
    assert found.due_before == "2026-12-09"  # due on 8 December is within 7 days of 1 December


def test_searches_are_equalities_or_a_prefix_range() -> None:
    def where(search: Search) -> dict[str, object]:
        return build_filter(WorklistQuery(search=search), DISTRICT, "me", TODAY).where

    assert where(Search("receipt", "47-2569-000001"))["receipt_no"] == {"$eq": "47-2569-000001"}
    assert where(Search("citizen_id", "1101700230708"))["citizen_id"] == {"$eq": "1101700230708"}
    assert where(Search("name", "สมศรี"))["name_key"] == {"$gte": "สมศรี", "$lt": "สมศรี\uffff"}


def test_thai_midnight_is_seventeen_hundred_utc_the_day_before() -> None:
    assert thai_midnight(date(2026, 1, 1)) == datetime(2025, 12, 31, 17, tzinfo=UTC)


# ---- sorts and keyset finds ----

def test_the_segments_of_each_sort() -> None:
    base = Filter({})
    (registered,) = segments(WorklistQuery(), base)
    assert (registered.field, registered.descending) == (REGISTERED, True)
    (debt,) = segments(WorklistQuery(sort="debt", descending=False), base)
    assert (debt.field, debt.descending) == (DEBT, False)
    dated, undated = segments(WorklistQuery(sort="due", descending=False), base)
    assert dated.where == {DUE: {"$gte": ""}} and undated.where == {DUE: {"$eq": None}} and undated.field is None
    assert len(segments(WorklistQuery(sort="due"), Filter({}, due_before="2026-12-01"))) == 1  # no undated
    by_status = segments(WorklistQuery(sort="status", statuses=(Status.NEW, Status.RESOLVED)), base)
    assert [s.where["status"]["$eq"] for s in by_status] == ["resolved", "new"]  # descending: later statuses first
    assert all(s.field == REGISTERED and s.descending for s in by_status)


def test_a_status_sort_reads_the_statuses_one_by_one_not_through_in() -> None:
    query = WorklistQuery(sort="status", statuses=(Status.NEW, Status.CONTACTING))
    base = build_filter(query, DISTRICT, "me", TODAY)
    assert "status" not in base.where
    assert [f.filter["status"] for f in finds(query, base, None)] == [{"$eq": "contacting"}, {"$eq": "new"}]


def test_the_first_page_is_one_find_in_index_order() -> None:
    query = WorklistQuery(statuses=(Status.NEW,))
    (find,) = finds(query, build_filter(query, DISTRICT, "me", TODAY), None)
    assert find.filter == {"district_code": {"$eq": "4701"}, "status": {"$eq": "new"}}
    assert find.sort == [(REGISTERED, -1), (TIE, -1)]


def test_after_a_position_the_ties_then_the_rest() -> None:
    query = WorklistQuery()
    base = build_filter(query, DISTRICT, "me", TODAY)
    moment = datetime(2026, 11, 5, 3, 4, 5, tzinfo=UTC)
    ties, rest = finds(query, base, Position(0, moment, "47-2569-000050"))
    assert ties.filter == {"district_code": {"$eq": "4701"}, REGISTERED: {"$eq": moment},
                           TIE: {"$lt": "47-2569-000050"}}
    assert ties.sort == [(TIE, -1)]
    assert rest.filter == {"district_code": {"$eq": "4701"}, REGISTERED: {"$lt": moment}}
    assert rest.sort == [(REGISTERED, -1), (TIE, -1)]
    assert not any("$or" in f.filter for f in (ties, rest))  # AND-only: an index range each


def test_before_a_position_every_order_flips() -> None:
    query = WorklistQuery(sort="debt")
    base = build_filter(query, DISTRICT, "me", TODAY)
    ties, rest = finds(query, base, Position(0, 500_00, "47-2569-000050"), before=True)
    assert ties.filter[TIE] == {"$gt": "47-2569-000050"} and ties.sort == [(TIE, 1)]
    assert rest.filter[DEBT] == {"$gt": 500_00} and rest.sort == [(DEBT, 1), (TIE, 1)]


def test_a_cursor_bound_and_a_filter_bound_on_one_field_keep_the_tighter() -> None:
    query = WorklistQuery(registered_to=date(2026, 11, 30))
    base = build_filter(query, DISTRICT, "me", TODAY)
    later = datetime(2026, 12, 25, tzinfo=UTC)  # a position outside the filter (an edited link)
    _, rest = finds(query, base, Position(0, later, "47-2569-000001"))
    assert rest.filter[REGISTERED] == {"$lt": datetime(2026, 11, 30, 17, tzinfo=UTC)}


def test_the_status_sort_continues_into_the_next_statuses() -> None:
    query = WorklistQuery(sort="status", descending=False)
    base = build_filter(query, DISTRICT, "me", TODAY)
    moment = datetime(2026, 11, 5, tzinfo=UTC)
    found = list(finds(query, base, Position(1, moment, "47-2569-000009")))
    assert [f.filter["status"]["$eq"] for f in found] == ["contacting", "contacting"] + [
        s.value for s in list(Status)[2:]]
    assert [f.segment for f in found[:3]] == [1, 1, 2]
    back = list(finds(query, base, Position(1, moment, "47-2569-000009"), before=True))
    assert [f.filter["status"]["$eq"] for f in back] == ["contacting", "contacting", "new"]


def test_a_due_date_is_compared_once_per_find() -> None:
    """The due-date filter's bound and the cursor's position never land in one find (nx-27017 takes one)."""
    query = WorklistQuery(sort="due", descending=False, due="within", due_days=14)
    base = build_filter(query, DISTRICT, "me", TODAY)
    (first,) = finds(query, base, None)
    assert first.filter[DUE] == {"$gte": "", "$lt": "2026-12-16"}
    ties, rest = finds(query, base, Position(0, "2026-12-05", "47-2569-000010"))
    assert ties.filter[DUE] == {"$gte": "", "$eq": "2026-12-05"}
    assert rest.filter[DUE] == {"$gte": "", "$gt": "2026-12-05"} and rest.due_stop == "2026-12-16"
    # Descending: both are upper bounds, the tighter goes to the database.
    query = WorklistQuery(sort="due", descending=True, due="within", due_days=14)
    ties, rest = finds(query, build_filter(query, DISTRICT, "me", TODAY), Position(0, "2026-12-10", "47-2569-000010"))
    assert rest.filter[DUE] == {"$gte": "", "$lt": "2026-12-10"} and rest.due_stop is None
    (rest,) = finds(query, build_filter(query, DISTRICT, "me", TODAY), Position(0, "2026-12-30", "47-2569-000010"))
    assert rest.filter[DUE] == {"$gte": "", "$lt": "2026-12-16"}  # a position past the bound: no ties to read
    # A position past the bound has no ties within it.
    found = list(finds(WorklistQuery(sort="due", descending=False, due="overdue"),
                       build_filter(WorklistQuery(due="overdue"), DISTRICT, "me", TODAY),
                       Position(0, "2026-12-05", "47-2569-000010")))
    assert len(found) == 1 and "$eq" not in found[0].filter[DUE]
    # Any other sort takes the bound into its filter.
    other = WorklistQuery(due="overdue")
    (plain,) = finds(other, build_filter(other, DISTRICT, "me", TODAY), None)
    assert plain.filter[DUE] == {"$lt": "2026-12-01"} and plain.due_stop is None


def test_undated_cases_come_last_by_receipt_number() -> None:
    query = WorklistQuery(sort="due", descending=False)
    base = build_filter(query, DISTRICT, "me", TODAY)
    found = list(finds(query, base, Position(1, None, "47-2569-000010")))
    assert len(found) == 1
    assert found[0].filter == {"district_code": {"$eq": "4701"}, DUE: {"$eq": None}, TIE: {"$gt": "47-2569-000010"}}


# ---- the cursor ----

@pytest.mark.parametrize("value", [datetime(2026, 11, 5, 3, 4, 5, 123000, tzinfo=UTC), 1_250_000, "2026-12-05", None])
def test_a_cursor_round_trips(value: object) -> None:
    cursor = Cursor("registered", True, Position(2, value, "47-2569-000123"), before=True)
    token = cursor.encode(SECRET)
    assert token.isascii() and "=" not in token
    assert Cursor.decode(token, SECRET) == cursor


def test_an_altered_or_foreign_cursor_is_refused() -> None:
    token = Cursor("debt", False, Position(0, 100, "47-2569-000001"), False).encode(SECRET)
    payload, mac = token.split(".")
    forged = json.dumps(["debt", 0, 0, 1, "47-2569-999999", 0]).encode()
    import base64
    forged_token = base64.urlsafe_b64encode(forged).rstrip(b"=").decode() + "." + mac
    assert Cursor.decode(forged_token, SECRET) is None
    assert Cursor.decode(token, b"another secret") is None
    assert Cursor.decode(payload, SECRET) is None
    assert Cursor.decode("garbage", SECRET) is None
    assert Cursor.decode(token[:-2], SECRET) is None


def test_a_cursor_from_another_sort_starts_again_at_the_first_page() -> None:
    token = Cursor("debt", True, Position(0, 100, "47-2569-000001"), False).encode(SECRET)
    assert plan(WorklistQuery(cursor=token), DISTRICT, "me", TODAY, SECRET).cursor is None
    assert plan(WorklistQuery(sort="debt", cursor=token), DISTRICT, "me", TODAY, SECRET).cursor is not None


def test_sort_values_are_read_from_nested_or_dotted_projections() -> None:
    assert sort_value({"totals": {"outstanding_satang": 5}}, DEBT) == 5
    assert sort_value({"totals.outstanding_satang": 7}, DEBT) == 7  # nx-27017's projection
    naive = sort_value({REGISTERED: datetime(2026, 1, 1)}, REGISTERED)
    assert naive == datetime(2026, 1, 1, tzinfo=UTC)
    assert field_value({"debtor": {"given_name": "สมศรี"}}, "debtor.given_name") == "สมศรี"


# ---- the dev stand-in ----

def test_for_nx_27017_rewrites_times_and_the_due_date_comparison() -> None:
    moment = datetime(2026, 11, 5, 10, 4, 5, 123456, tzinfo=UTC) + timedelta(hours=0)
    where = {"district_code": {"$eq": "4701"}, REGISTERED: {"$lt": moment}, DUE: {"$gte": "", "$lt": "2026-12-01"},
             "assigned_to": {"$eq": None}}
    assert for_nx_27017(where) == {
        "district_code": {"$eq": "4701"}, REGISTERED: {"$lt": '{"$date":"2026-11-05T10:04:05.123000"}'},
        DUE: {"$gte": "", "$lt": "2026-12-1"}, "$expr": {"$lt": ["$next_action_due", "2026-12-01"]},
        "assigned_to": {"$eq": None}}
    # The date itself goes to $expr; nine-character bounds (never taken for a date) keep the index read short.
    assert for_nx_27017({DUE: {"$gte": "", "$eq": "2026-12-19"}}) == {
        DUE: {"$gte": "2026-12-1", "$lt": "2026-12-2"}, "$expr": {"$eq": ["$next_action_due", "2026-12-19"]}}
    assert for_nx_27017({DUE: {"$gt": "2026-12-30"}})[DUE] == {"$gte": "2026-12-3"}
    for day in ("2026-12-01", "2026-12-09", "2026-12-19", "2026-12-31", "2026-11-30"):
        low, high = day[:9], day[:8] + chr(ord(day[8]) + 1)
        assert low <= day < high and len(low) == len(high) == 9
    with pytest.raises(ValueError):
        for_nx_27017({DUE: {"$gt": "2026-12-01", "$lt": "2026-12-30"}})


def test_nx_time_is_the_text_the_stand_in_stores() -> None:
    bangkok = datetime(2026, 1, 1, 7, 0, tzinfo=UTC).astimezone()
    assert nx_time(bangkok) == '{"$date":"2026-01-01T07:00:00"}'  # whole seconds: no fraction, as isoformat()
    assert nx_time(datetime(2026, 1, 1, 7, 0, 0, 999, tzinfo=UTC)) == '{"$date":"2026-01-01T07:00:00"}'
