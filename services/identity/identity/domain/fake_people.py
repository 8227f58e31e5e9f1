"""Dev-only fake Thai names and birth dates, derived deterministically from a persona's code.

The same citizen ID always yields the same person, so screens and receipts stay stable across
restarts; the names are common ones and belong to no real record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

# (title, given name) — titles as ThaiD returns them.
_GIVEN: tuple[tuple[str, str], ...] = (
    ("นาย", "สมชาย"), ("นาง", "สมหญิง"), ("นางสาว", "วิไลวรรณ"), ("นาย", "ประเสริฐ"),
    ("นาง", "สุดารัตน์"), ("นาย", "อนันต์"), ("นางสาว", "มาลี"), ("นาย", "ธนากร"),
    ("นาง", "กาญจนา"), ("นาย", "ชัยวัฒน์"), ("นางสาว", "นิภาพร"), ("นาย", "สุรชัย"),
    ("นาง", "พรทิพย์"), ("นาย", "วีระพงษ์"), ("นางสาว", "อรุณี"), ("นาย", "บุญมี"),
)
_FAMILY: tuple[str, ...] = (
    "ใจดี", "รักไทย", "ศรีสุข", "มั่นคง", "ทองดี", "แสงทอง", "บุญเรือง", "สุขสวัสดิ์",
    "วงศ์ใหญ่", "พรหมมา", "ศรีวงศ์", "อินทร์แก้ว", "คำภา", "พึ่งบุญ", "สายสุวรรณ", "ชัยมงคล",
)
_EARLIEST_BIRTH = date(1950, 1, 1)
_BIRTH_SPAN_DAYS = (date(2004, 12, 31) - _EARLIEST_BIRTH).days


@dataclass(frozen=True)
class FakePerson:
    title: str
    given_name: str
    family_name: str
    birthdate: date

    @property
    def name(self) -> str:
        return f"{self.title}{self.given_name} {self.family_name}"


def fake_person(seed: str) -> FakePerson:
    digest = hashlib.sha256(b"dev-person:" + seed.encode()).digest()
    title, given = _GIVEN[digest[0] % len(_GIVEN)]
    family = _FAMILY[digest[1] % len(_FAMILY)]
    born = _EARLIEST_BIRTH + timedelta(days=int.from_bytes(digest[2:6], "big") % _BIRTH_SPAN_DAYS)
    return FakePerson(title=title, given_name=given, family_name=family, birthdate=born)
