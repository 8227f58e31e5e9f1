import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from registration.kernel import admin_areas
from registration.kernel.admin_areas import (
    Area,
    all_provinces,
    data_version,
    district,
    districts_of,
    province,
    subdistrict,
    subdistricts_of,
    validate_address_codes,
)


def _all_districts() -> list[Area]:
    return [d for p in all_provinces() for d in districts_of(p.code)]


def _all_subdistricts() -> list[Area]:
    return [s for d in _all_districts() for s in subdistricts_of(d.code)]


# --- counts ----------------------------------------------------------------------------


def test_counts_match_dopa() -> None:
    assert len(all_provinces()) == 77
    assert len(_all_districts()) == 928
    assert len(_all_subdistricts()) == 7436


def test_bangkok_has_fifty_khet_numbered_1001_to_1050() -> None:
    khet = districts_of("10")
    assert [d.code for d in khet] == [str(c) for c in range(1001, 1051)]
    assert all(d.name_th.startswith("เขต") for d in khet)


def test_codes_are_unique_digits_and_nest_by_prefix() -> None:
    areas = [*all_provinces(), *_all_districts(), *_all_subdistricts()]
    codes = [a.code for a in areas]
    assert len(codes) == len(set(codes))
    for area in areas:
        assert area.code.isascii() and area.code.isdigit()
        assert area.name_th and area.name_en
        if area.parent_code is not None:
            assert area.code.startswith(area.parent_code)
            assert len(area.code) == len(area.parent_code) + 2


def test_every_district_has_subdistricts() -> None:
    assert all(subdistricts_of(d.code) for d in _all_districts())


# --- lookups ---------------------------------------------------------------------------


def test_province_lookup() -> None:
    assert province("10") == Area("10", "กรุงเทพมหานคร", "Bangkok", None)
    assert province("๘๔") == Area("84", "สุราษฎร์ธานี", "Surat Thani", None)
    assert province("38") is not None  # Bueng Kan, the newest province (2011)


def test_district_and_subdistrict_lookup() -> None:
    assert district("8405") == Area("8405", "เกาะพะงัน", "Ko Pha-ngan", "84")
    assert district("1001") == Area("1001", "เขตพระนคร", "Phra Nakhon", "10")
    found = subdistrict("840503")
    assert found is not None
    assert (found.name_th, found.name_en, found.parent_code) == (
        "เกาะเต่า",
        "Ko Tao",
        "8405",
    )


@pytest.mark.parametrize("code", ["", "99", "1", "100", "1001", "abc"])
def test_province_unknown_or_wrong_length(code: str) -> None:
    assert province(code) is None


def test_lookups_do_not_cross_levels() -> None:
    assert district("10") is None
    assert district("840503") is None
    assert subdistrict("8405") is None
    assert district("1099") is None  # abolished registration-office pseudo-district


def test_areas_are_frozen() -> None:
    area = province("10")
    assert area is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        area.name_en = "Krung Thep"  # type: ignore[misc]
    assert isinstance(all_provinces(), tuple)


def test_drop_down_lists() -> None:
    surat = districts_of("84")
    assert len(surat) == 19
    assert [d.code for d in surat] == sorted(d.code for d in surat)
    assert all(d.parent_code == "84" for d in surat)
    assert [s.name_en for s in subdistricts_of("8405")] == [
        "Ko Pha-ngan",
        "Ban Tai",
        "Ko Tao",
    ]
    assert districts_of("99") == ()
    assert districts_of("8405") == ()
    assert subdistricts_of("9999") == ()
    assert subdistricts_of("84") == ()


def test_data_version_is_recorded() -> None:
    assert data_version()


def test_import_does_no_loading() -> None:
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": f"{root}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    script = (
        "import registration.kernel.admin_areas as a; "
        "print(a._index.cache_info().currsize, a._abolished_codes.cache_info().currsize)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["0", "0"]


def test_index_is_built_once() -> None:
    province("10")
    district("1001")
    assert admin_areas._index.cache_info().currsize == 1


# --- validate_address_codes ------------------------------------------------------------


def _summary(province_code: str, district_code: str, subdistrict_code: str) -> list[tuple[str | None, str]]:
    errors = validate_address_codes(province_code, district_code, subdistrict_code)
    return [(e.field, e.code) for e in errors]


@pytest.mark.parametrize(
    "codes",
    [
        ("84", "8405", "840503"),
        ("10", "1001", "100101"),
        ("๘๔", "๘๔๐๕", "๘๔๐๕๐๓"),
        ("38", "3801", "380101"),
    ],
)
def test_valid_addresses(codes: tuple[str, str, str]) -> None:
    assert validate_address_codes(*codes) == []


def test_district_not_in_province() -> None:
    errors = validate_address_codes("84", "1001", "100101")
    assert [(e.field, e.code) for e in errors] == [("district_code", "district.not_in_province")]
    assert errors[0].th == "รหัสอำเภอไม่อยู่ในจังหวัดที่เลือก"
    assert errors[0].en == "The district is not in the selected province."


def test_subdistrict_not_in_district() -> None:
    errors = validate_address_codes("84", "8405", "840101")
    assert [(e.field, e.code) for e in errors] == [("subdistrict_code", "subdistrict.not_in_district")]
    assert errors[0].th == "รหัสตำบลไม่อยู่ในอำเภอที่เลือก"


def test_all_unknown() -> None:
    assert _summary("99", "9999", "999999") == [
        ("province_code", "province.unknown"),
        ("district_code", "district.unknown"),
        ("subdistrict_code", "subdistrict.unknown"),
    ]


def test_all_missing() -> None:
    errors = validate_address_codes("", " ", "")
    assert [(e.field, e.code) for e in errors] == [
        ("province_code", "province.required"),
        ("district_code", "district.required"),
        ("subdistrict_code", "subdistrict.required"),
    ]
    assert errors[0].th == "กรุณาเลือกจังหวัด"


def test_bad_province_does_not_cascade_to_a_consistent_district() -> None:
    assert _summary("99", "8405", "840503") == [("province_code", "province.unknown")]


def test_subdistrict_still_checked_against_district_when_province_is_bad() -> None:
    assert _summary("99", "8405", "840101") == [
        ("province_code", "province.unknown"),
        ("subdistrict_code", "subdistrict.not_in_district"),
    ]


def test_misplaced_district_does_not_cascade_to_subdistrict() -> None:
    assert _summary("84", "1001", "840503") == [("district_code", "district.not_in_province")]


def test_abolished_codes_get_their_own_error() -> None:
    assert _summary("10", "1047", "104701") == [("subdistrict_code", "subdistrict.abolished")]
    assert _summary("10", "1081", "104702") == [
        ("district_code", "district.abolished"),
    ]


def test_abolished_code_in_the_wrong_field_is_just_unknown() -> None:
    assert _summary("1081", "1001", "100101") == [("province_code", "province.unknown")]


def test_wrong_length_codes_are_unknown() -> None:
    assert _summary("840", "84", "8405") == [
        ("province_code", "province.unknown"),
        ("district_code", "district.unknown"),
        ("subdistrict_code", "subdistrict.unknown"),
    ]
