"""Validates every row of a staff list, with Thai (then English) messages per row and field.

Checks: citizen ID (format and check digit), names, e-mail, phone, known unit code, a role that
fits the unit, duplicates within the file, and — through ``contracts.access.may_manage_staff`` —
that the uploader may grant this role in this unit (never above their own level or outside it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from contracts.access import may_manage_staff
from contracts.claims import Claims, Role
from identity.domain import citizen_id as cid
from identity.domain.staff import StaffRow
from identity.domain.staff_files import RawRow
from identity.domain.units import UnitCatalogue, kind_for

ROLE_NAMES: dict[str, Role] = {
    "registrar": Role.REGISTRAR, "เจ้าหน้าที่รับลงทะเบียน": Role.REGISTRAR,
    "district_officer": Role.DISTRICT_OFFICER, "เจ้าหน้าที่อำเภอ": Role.DISTRICT_OFFICER,
    "province_officer": Role.PROVINCE_OFFICER, "เจ้าหน้าที่จังหวัด": Role.PROVINCE_OFFICER,
    "dopa_admin": Role.DOPA_ADMIN, "ผู้ดูแลระบบ": Role.DOPA_ADMIN,
    "auditor": Role.AUDITOR, "ผู้ตรวจสอบ": Role.AUDITOR,
}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^0[0-9]{8,9}$")
_NAME_MAX = 100


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    th: str
    en: str


def _role(raw: str) -> Role | None:
    return ROLE_NAMES.get(raw.strip().casefold()) or ROLE_NAMES.get(raw.strip())


def _check_row(raw: RawRow, uploader: Claims, units: UnitCatalogue) -> tuple[StaffRow | None, list[RowProblem]]:
    v, n = raw.values, raw.row
    problems: list[RowProblem] = []

    def bad(field: str, th: str, en: str) -> None:
        problems.append(RowProblem(n, field, th, en))

    citizen = cid.normalise(v.get("citizen_id", ""))
    if not citizen:
        bad("citizen_id", "ไม่ได้กรอกเลขประจำตัวประชาชน", "Citizen ID is missing")
    elif not (len(citizen) == 13 and citizen.isdigit()):
        bad("citizen_id", "เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก", "Citizen ID must be 13 digits")
    elif not cid.is_valid(citizen):
        bad("citizen_id", "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบไม่ตรง)", "Citizen ID check digit is wrong")
    names = {f: v.get(f, "").strip() for f in ("title", "given_name", "family_name", "position")}
    for field, th in (("given_name", "ชื่อ"), ("family_name", "นามสกุล")):
        if not names[field]:
            bad(field, f"ไม่ได้กรอก{th}", f"{field} is missing")
    for field, value in names.items():
        if len(value) > _NAME_MAX:
            bad(field, f"ข้อความยาวเกิน {_NAME_MAX} ตัวอักษร", f"{field} is longer than {_NAME_MAX} characters")
    email = v.get("email", "").strip().lower()
    if not _EMAIL.match(email):
        bad("email", "อีเมลไม่ถูกต้อง (ใช้ยืนยันตัวตนและตั้งรหัสผ่านด้วยตนเอง)", "A valid e-mail is required")
    phone = re.sub(r"[\s-]", "", cid.normalise(v.get("phone", ""))) or None
    if phone is not None and phone.startswith("+66"):
        phone = "0" + phone[3:]
    if phone is not None and not _PHONE.match(phone):
        bad("phone", "หมายเลขโทรศัพท์ไม่ถูกต้อง", "Phone number is not a Thai number")
    role = _role(v.get("role", ""))
    if role is None or role is Role.CITIZEN:
        bad("role", "บทบาทไม่ถูกต้อง (registrar, district_officer, province_officer, dopa_admin, auditor)",
            "Unknown role")
    unit_code = cid.normalise(v.get("unit_code", ""))
    if not units.knows(unit_code):
        bad("unit_code", f"ไม่พบรหัสหน่วย {unit_code!r} ในรหัสเขตการปกครองของกรมการปกครอง",
            "Unknown DOPA unit code")
    kind = kind_for(role, unit_code) if role is not None and units.knows(unit_code) else None
    if role is not None and units.knows(unit_code) and kind is None:
        bad("role", "บทบาทนี้ไม่สามารถอยู่ในหน่วยนี้ได้ (เช่น เจ้าหน้าที่จังหวัดต้องใช้รหัสจังหวัด 2 หลัก)",
            "This role cannot sit in this unit")
    if role is not None and kind is not None and not may_manage_staff(uploader, unit_code, role):
        bad("role", "ท่านไม่มีสิทธิ์กำหนดบทบาทนี้ในหน่วยนี้ (สูงกว่าบทบาทของท่านหรืออยู่นอกหน่วยของท่าน)",
            "You may not grant this role in this unit (above your own or outside your unit)")
    if problems or role is None or kind is None:
        return None, problems
    return StaffRow(row=n, citizen_id=citizen, unit_code=unit_code, unit_kind=kind, role=role, email=email,
                    phone=phone, **names), []


def _duplicates(rows: list[RawRow]) -> list[RowProblem]:
    problems = []
    for field, key in (("citizen_id", cid.normalise), ("email", lambda s: s.strip().lower())):
        seen: dict[str, list[int]] = defaultdict(list)
        for raw in rows:
            value = key(raw.values.get(field, ""))
            if value:
                seen[value].append(raw.row)
        for numbers in seen.values():
            for n in numbers if len(numbers) > 1 else ():
                others = ", ".join(str(o) for o in numbers if o != n)
                problems.append(RowProblem(n, field, f"ข้อมูลซ้ำกับแถวที่ {others}", f"Duplicate of row {others}"))
    return problems


def validate_rows(
    rows: list[RawRow], uploader: Claims, units: UnitCatalogue
) -> tuple[list[StaffRow], list[RowProblem]]:
    """All valid rows and all problems; the import may go ahead only when there are no problems."""
    valid: list[StaffRow] = []
    problems = _duplicates(rows)
    for raw in rows:
        row, found = _check_row(raw, uploader, units)
        problems.extend(found)
        if row is not None:
            valid.append(row)
    return valid, sorted(problems, key=lambda p: (p.row, p.field))
