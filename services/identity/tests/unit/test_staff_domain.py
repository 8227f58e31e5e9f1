from __future__ import annotations

import pytest

from contracts.claims import Claims, Role, UnitKind
from identity.adapters.geothai_units import load_catalogue
from identity.domain import citizen_id as cid
from identity.domain.authorization import redirect_allowed
from identity.domain.staff_files import FileProblem, read_staff_file
from identity.domain.staff_rows import validate_rows
from identity.domain.units import group_chain, kind_for

DOPA = Claims(sub="a", roles=frozenset({Role.DOPA_ADMIN}))


def test_citizen_id_checksum_and_normalisation() -> None:
    assert cid.is_valid("3100600445631") is False and cid.is_valid("3470100000011") is True
    assert cid.normalise("๓-๔๗๐๑ 00000-01-1") == "3470100000011"
    assert not cid.is_valid("0470100000011") and not cid.is_valid("347010000001")


def test_catalogue_has_every_dopa_province_and_district() -> None:
    units = load_catalogue()
    assert (len(units.provinces), len(units.districts)) == (77, 928)
    assert units.knows("4701") and units.knows("1050") and units.knows("00") and not units.knows("4799")


@pytest.mark.parametrize(("role", "code", "kind"), [
    (Role.REGISTRAR, "4701", UnitKind.DISTRICT_OFFICE), (Role.REGISTRAR, "1001", UnitKind.BANGKOK_DISTRICT_OFFICE),
    (Role.REGISTRAR, "47", UnitKind.PROVINCE_CENTRE), (Role.PROVINCE_OFFICER, "47", UnitKind.PROVINCE),
    (Role.DOPA_ADMIN, "00", UnitKind.NATION), (Role.DISTRICT_OFFICER, "47", None),
    (Role.PROVINCE_OFFICER, "4701", None), (Role.AUDITOR, "47", None), (Role.REGISTRAR, "00", None),
])
def test_which_role_sits_in_which_unit(role: Role, code: str, kind: UnitKind | None) -> None:
    assert kind_for(role, code) is kind


def test_group_chains_match_the_realm_layout() -> None:
    units = load_catalogue()
    names = [n for n, _ in group_chain(units, "1001", UnitKind.BANGKOK_DISTRICT_OFFICE)]
    assert names == ["provinces", "10 กรุงเทพมหานคร", "bangkok-offices", "1001 เขตพระนคร"]
    centre = group_chain(units, "47", UnitKind.PROVINCE_CENTRE)
    assert centre[-1] == ("damrongdhamma", {"unit_code": ["47"], "unit_kind": ["province_centre"]})
    assert group_chain(units, "00", UnitKind.NATION) == [("dopa", {"unit_code": ["00"], "unit_kind": ["nation"]})]


def test_thai_headers_and_role_names_are_understood() -> None:
    csv = ("เลขประจำตัวประชาชน,คำนำหน้า,ชื่อ,นามสกุล,ตำแหน่ง,รหัสหน่วย,บทบาท,อีเมล,โทรศัพท์\n"
           "๓๔๗๐๑๐๐๐๐๐๐๑๑,นาย,ก,ข,ปลัด,47,เจ้าหน้าที่จังหวัด,A@Example.go.th,+66812345678\n").encode()
    rows, problems = validate_rows(read_staff_file("x.csv", csv), DOPA, load_catalogue())
    assert problems == []
    assert (rows[0].citizen_id, rows[0].role, rows[0].unit_kind, rows[0].email, rows[0].phone) == (
        "3470100000011", Role.PROVINCE_OFFICER, UnitKind.PROVINCE, "a@example.go.th", "0812345678")


def test_tis620_csv_and_bad_files() -> None:
    csv = "citizen_id,given_name,family_name,unit_code,role,email\n3470100000011,ก,ข,4701,registrar,a@b.go.th\n"
    assert read_staff_file("x.csv", csv.encode("tis-620"))[0].values["given_name"] == "ก"
    with pytest.raises(FileProblem, match="Missing columns"):
        read_staff_file("x.csv", b"name\nx\n")
    with pytest.raises(FileProblem):
        read_staff_file("x.xlsx", b"PK\x03\x04 not really a workbook")
    with pytest.raises(FileProblem, match="2 MB"):
        read_staff_file("x.csv", b"a" * (2 * 1024 * 1024 + 1))


@pytest.mark.parametrize(("uri", "ok"), [
    ("http://127.0.0.1:5173/cb", True), ("http://localhost/cb?x=1", True), ("https://127.0.0.1/cb", False),
    ("http://127.0.0.1:99999/cb", False), ("http://localhost.evil/cb", False), ("http://127.0.0.1/cb#f", False),
    ("javascript:alert(1)", False), ("", False),
])
def test_dev_redirects_stay_on_this_machine(uri: str, ok: bool) -> None:
    assert redirect_allowed(uri, ("127.0.0.1", "localhost")) is ok
