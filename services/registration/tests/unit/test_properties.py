"""Properties of the validators (Hypothesis): whatever arrives, the only failure is a field error, and values
normalise once and for all (normalise(normalise(x)) == normalise(x)); what we print parses back to the value."""

from __future__ import annotations

from datetime import date
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registration.intake.validation import DeskOfficer, validate_registration
from registration.kernel import admin_areas
from registration.kernel.money import MAX_BAHT, format_baht, parse_satang
from registration.kernel.text import normalise_name, normalise_text
from registration.kernel.thai import (
    FieldError,
    citizen_id_check_digit,
    format_be_date,
    format_thai_phone,
    parse_citizen_id,
    parse_past_date,
    parse_thai_phone,
    to_thai_digits,
)
from registration.web.labels import citizen_id as print_citizen_id

TODAY = date(2026, 12, 1)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like what people and clients send: digits (ASCII and Thai), separators, Thai, marks, controls.
SEPARATORS = " -\u00a0\u200b\u2013\u2212/.,+฿"
TYPED = st.text(alphabet=st.sampled_from("0123456789๐๑๒๓๔๕๖๗๘๙" + SEPARATORS + "กขa\u0e31\u0e48\x00\t"),
                max_size=40)
ANY_TEXT = st.one_of(TYPED, st.text(max_size=60))


def only_field_errors(parse: Any, raw: Any) -> Any:
    """``parse(raw)``, or None when it refuses with a FieldError (anything else fails the test)."""
    try:
        return parse(raw)
    except FieldError as error:
        assert error.code and error.th and error.en
        return None


# ---- citizen IDs ----

VALID_IDS = st.builds(lambda first, rest: first + rest, st.sampled_from("12345678"),
                      st.text(alphabet="0123456789", min_size=11, max_size=11)
                      ).map(lambda first12: first12 + str(citizen_id_check_digit(first12)))


@FAST
@given(ANY_TEXT)
def test_citizen_id_parser_only_refuses_with_field_errors_and_is_idempotent(raw: str) -> None:
    parsed = only_field_errors(parse_citizen_id, raw)
    if parsed is not None:
        assert parse_citizen_id(parsed) == parsed and len(parsed) == 13


@FAST
@given(VALID_IDS, st.booleans())
def test_a_printed_citizen_id_parses_back(cid: str, thai: bool) -> None:
    printed = print_citizen_id(cid)
    assert parse_citizen_id(to_thai_digits(printed) if thai else printed) == cid


# ---- money ----

SATANG = st.integers(min_value=0, max_value=MAX_BAHT * 100)


@FAST
@given(st.one_of(ANY_TEXT, st.integers(min_value=-(10**40), max_value=10**40)))
def test_money_parser_only_refuses_with_field_errors_and_never_leaves_the_range(raw: str | int) -> None:
    satang = only_field_errors(parse_satang, raw)
    if satang is not None:
        assert isinstance(satang, int) and 0 <= satang <= MAX_BAHT * 100
        assert parse_satang(format_baht(satang)) == satang


@FAST
@given(SATANG, st.booleans(), st.sampled_from(["", "฿", " "]))
def test_formatted_baht_parses_back_to_the_same_satang(satang: int, thai: bool, prefix: str) -> None:
    text = prefix + format_baht(satang)
    assert parse_satang(to_thai_digits(text) if thai else text) == satang


# ---- dates ----

DATES = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@FAST
@given(ANY_TEXT)
def test_date_parser_only_refuses_with_field_errors(raw: str) -> None:
    parsed = only_field_errors(lambda r: parse_past_date(r, TODAY), raw)
    if parsed is not None:
        assert date(1900, 1, 1) <= parsed <= TODAY
        assert parse_past_date(parsed.isoformat(), TODAY) == parsed


@FAST
@given(DATES, st.booleans())
def test_iso_and_buddhist_era_dates_parse_back(day: date, thai: bool) -> None:
    be = f"{day.day:02d}/{day.month:02d}/{day.year + 543}"
    assert parse_past_date(day.isoformat(), TODAY) == day
    assert parse_past_date(to_thai_digits(be) if thai else be, TODAY) == day
    assert str(day.year + 543) in format_be_date(day)


# ---- phones ----

THAI_NUMBERS = st.builds(lambda lead, rest: "0" + lead + rest, st.sampled_from("2345689"),
                         st.text(alphabet="0123456789", min_size=7, max_size=8))


@FAST
@given(st.one_of(ANY_TEXT, THAI_NUMBERS))
def test_phone_parser_only_refuses_with_field_errors_and_stores_e164(raw: str) -> None:
    stored = only_field_errors(parse_thai_phone, raw)
    if stored is not None:
        number = phonenumbers.parse(stored)
        assert stored.startswith("+66") and phonenumbers.is_valid_number(number)
        assert parse_thai_phone(stored) == stored  # normalised once and for all
        shown = format_thai_phone(stored)
        assert shown.startswith("0") and parse_thai_phone(shown) == stored  # what people see parses back


# ---- administrative codes ----

SUBDISTRICTS = [s for d in admin_areas._index().children.values() for s in d if len(s.code) == 6]


@FAST
@given(ANY_TEXT, ANY_TEXT, ANY_TEXT)
def test_address_codes_are_refused_only_with_field_errors(province: str, district: str, sub: str) -> None:
    for error in admin_areas.validate_address_codes(province, district, sub):
        assert isinstance(error, FieldError) and error.field in ("province_code", "district_code", "subdistrict_code")
    admin_areas.postal_code_problem(sub, district)


@FAST
@given(st.sampled_from(SUBDISTRICTS), st.booleans())
def test_every_real_subdistrict_with_its_postal_code_is_accepted(sub: admin_areas.Area, thai: bool) -> None:
    district = sub.parent_code or ""
    codes = (district[:2], district, sub.code)
    if thai:
        codes = tuple(to_thai_digits(c) for c in codes)
    assert admin_areas.validate_address_codes(*codes) == []
    assert all(admin_areas.postal_code_problem(codes[2], p) is None for p in sub.postal_codes)


# ---- names and free text ----


@FAST
@given(st.text(max_size=80))
def test_text_and_names_normalise_once_and_for_all(raw: str) -> None:
    for normalise in (normalise_text, normalise_name):
        value = only_field_errors(normalise, raw)
        if value is not None:
            assert normalise(value) == value
            assert value == value.strip() and "  " not in value and "\x00" not in value and "\u200b" not in value


# ---- a whole registration ----

JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
                       max_leaves=8)
FIELDS = ["citizen_id", "title", "given_name", "family_name", "birth_date", "phone", "occupation", "monthly_income"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FIELDS), JSONISH, max_size=4),
       st.dictionaries(st.sampled_from(["principal", "outstanding", "interest_rate", "start_date"]), JSONISH,
                       max_size=3))
def test_any_registration_body_becomes_a_case_or_field_errors(debtor: dict[str, Any], debt: dict[str, Any]) -> None:
    body = {"channel": "desk", "debtor": {"citizen_id": "1101700230708", "given_name": "ก", "family_name": "ข",
                                          "birth_date": "2000-01-01",
                                          "address": {"line": "1", "subdistrict_code": "470101",
                                                      "district_code": "4701", "province_code": "47"},
                                          **debtor},
            "creditors": [{"debts": [{"principal": "1", "outstanding": "1", **debt}]}],
            "help_wanted": ["mediation"], "privacy_acknowledged": True}
    result = validate_registration(body, today=TODAY, desk=DeskOfficer("4701", "s"))
    if isinstance(result, list):
        assert result and all(isinstance(e, FieldError) and e.th and e.en for e in result)


@pytest.mark.parametrize("raw", ["๐๘๑-๒๓๔-๕๖๗๘", "+66 81 234 5678", "081 234 5678"])
def test_thai_digits_and_dashes_are_still_accepted(raw: str) -> None:
    assert parse_thai_phone(raw) == "+66812345678"
