"""What a district prints on its letters (signer, office, address, phone, letter-number prefix) and its
outgoing-letter numbers.

Settings live in ``letter_settings``, one document per district code; a district that never saved any
prints defaults made from the DOPA area names (``ที่ว่าการอำเภอ…``, ``นายอำเภอ…``) with blanks to fill
in by hand where nothing can be guessed (the signer's name, the phone). Letter numbers come from
``letter_numbers``: one counter per district per Buddhist Era year, as the outgoing-letter register
(ทะเบียนหนังสือส่ง) restarts each year; a batch reserves all its numbers in one atomic increment.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.database import Database

from registration.kernel import admin_areas
from registration.kernel.text import normalise_text
from registration.kernel.thai import FieldError, format_thai_phone, parse_thai_phone, to_thai_digits

Doc = dict[str, Any]
# A default prefix the district is expected to replace with its own (shown as unsaved on the settings page).
DEFAULT_PREFIX = "มท ๐๓๑๘.๑"


@dataclass(frozen=True)
class LetterSettings:
    district_code: str
    letter_prefix: str  # e.g. "มท ๐๓๑๘.๑"; the running number follows a slash
    office: str  # the sending office, first line of the address block: "ที่ว่าการอำเภอเมืองสกลนคร"
    office_address: str  # the rest of the address: "ถนน… ตำบล… จังหวัด… ๔๗๐๐๐"
    signer_name: str  # with title, printed in parentheses; empty: a line to write the name by hand
    signer_position: str  # "นายอำเภอเมืองสกลนคร"
    signer_position2: str  # a second line when signing on someone's behalf: "ปฏิบัติราชการแทน…"; may be empty
    owner_unit: str  # ส่วนราชการเจ้าของเรื่อง: "ที่ทำการปกครองอำเภอเมืองสกลนคร"
    owner_section: str  # its section: "ฝ่ายปกครอง"; may be empty
    phone: str  # E.164 ("+6642711234") or empty
    enclosure: str = ""  # สิ่งที่ส่งมาด้วย, printed only when set
    saved: bool = False  # False: the defaults, never saved by the district

    @property
    def phone_text(self) -> str:
        """The phone as official letters print it: Thai digits, e.g. ``๐๔๒-๗๑๑-๒๓๔``; empty if unset."""
        return to_thai_digits(format_thai_phone(self.phone)) if self.phone else ""


def _is_bangkok(district_code: str) -> bool:
    return district_code.startswith("10")


def _postal_code(district_code: str) -> str:
    """The district's main postal code: the one most of its subdistricts use."""
    codes = Counter(p for s in admin_areas.subdistricts_of(district_code) for p in s.postal_codes[:1])
    return codes.most_common(1)[0][0] if codes else ""


def default_settings(district_code: str) -> LetterSettings:
    """What a district prints before it saves its own settings, from the DOPA area names."""
    district = admin_areas.district(district_code)
    province = admin_areas.province(district_code[:2])
    name = district.name_th if district else district_code
    province_name = province.name_th if province else ""
    postal = to_thai_digits(_postal_code(district_code))
    if _is_bangkok(district_code):  # a Bangkok khet: its office is a สำนักงานเขต run by its director
        khet = name if name.startswith("เขต") else f"เขต{name}"
        return LetterSettings(
            district_code, DEFAULT_PREFIX, f"สำนักงาน{khet}", f"{khet} กรุงเทพมหานคร {postal}".strip(), "",
            f"ผู้อำนวยการ{khet}", "", f"สำนักงาน{khet}", "ฝ่ายปกครอง", "")
    return LetterSettings(
        district_code, DEFAULT_PREFIX, f"ที่ว่าการอำเภอ{name}", f"อำเภอ{name} จังหวัด{province_name} {postal}".strip(),
        "", f"นายอำเภอ{name}", "", f"ที่ทำการปกครองอำเภอ{name}", "ฝ่ายปกครอง", "")


# ---- the settings form: field, Thai label, English label, longest allowed, required ----

FIELDS: tuple[tuple[str, str, str, int, bool], ...] = (
    ("letter_prefix", "รหัสหนังสือออกของอำเภอ (ก่อนเครื่องหมาย /)", "The district's letter-number prefix (before the /)",
     40, True),
    ("office", "ส่วนราชการเจ้าของหนังสือ", "Sending office", 120, True),
    ("office_address", "ที่ตั้ง", "Office address", 200, True),
    ("signer_name", "ชื่อผู้ลงนาม (มีคำนำหน้า)", "Signer's name (with title)", 100, False),
    ("signer_position", "ตำแหน่งผู้ลงนาม", "Signer's position", 120, True),
    ("signer_position2", "ตำแหน่งบรรทัดที่สอง (ถ้ามี เช่น ปฏิบัติราชการแทน…)",
     "Second line of the position (if any, e.g. acting for …)", 120, False),
    ("owner_unit", "ส่วนราชการเจ้าของเรื่อง", "Unit in charge of the matter", 120, True),
    ("owner_section", "ฝ่าย/กลุ่มงาน", "Section", 120, False),
    ("phone", "โทรศัพท์", "Phone", 32, False),
    ("enclosure", "สิ่งที่ส่งมาด้วย (ถ้ามี)", "Enclosure (if any)", 200, False),
)
_PREFIX = re.compile(r"^[\u0E00-\u0E7F0-9A-Za-z .\-]+$")


def read_form(district_code: str, values: dict[str, str]) -> LetterSettings | list[FieldError]:
    """Settings from the posted form, or the field errors (Thai first) to show next to each field."""
    errors: list[FieldError] = []
    clean: dict[str, str] = {}
    for field, th, en, longest, required in FIELDS:
        try:
            text = normalise_text(values.get(field, ""))
        except FieldError as error:
            errors.append(error.with_field(field))
            continue
        if required and not text:
            errors.append(FieldError(f"{field}.required", f"กรุณากรอก{th}", f"Please enter: {en}.", field))
        elif len(text) > longest:
            errors.append(FieldError(f"{field}.too_long", f"ยาวเกินไป (ไม่เกิน {longest} ตัวอักษร)",
                                     f"Too long (at most {longest} characters).", field))
        clean[field] = text
    prefix = clean.get("letter_prefix", "")
    if prefix and not _PREFIX.fullmatch(prefix):
        errors.append(FieldError("letter_prefix.format", "รหัสหนังสือใช้ได้เฉพาะตัวอักษร ตัวเลข จุด และเว้นวรรค เช่น มท ๐๓๑๘.๑",
                                 "Letters, digits, dots and spaces only, e.g. มท ๐๓๑๘.๑.", "letter_prefix"))
    phone = clean.get("phone", "")
    if phone:
        try:
            clean["phone"] = parse_thai_phone(phone)
        except FieldError as error:
            errors.append(error.with_field("phone"))
    if errors:
        return errors
    # Official style writes the prefix's digits in Thai, whatever keyboard typed them.
    clean["letter_prefix"] = to_thai_digits(clean["letter_prefix"])
    return LetterSettings(district_code=district_code, saved=True, **clean)


def form_values(settings: LetterSettings) -> dict[str, str]:
    """The settings as the form shows them (the phone as people write it)."""
    values = {field: str(getattr(settings, field)) for field, *_ in FIELDS}
    values["phone"] = format_thai_phone(settings.phone)
    return values


class LetterSettingsStore:
    def __init__(self, db: Database[Doc]) -> None:
        self.settings = db["letter_settings"]

    def of(self, district_code: str) -> LetterSettings:
        doc = self.settings.find_one({"_id": district_code})
        if doc is None:
            return default_settings(district_code)
        known = {field for field, *_ in FIELDS}
        return replace(default_settings(district_code), saved=True,
                       **{k: str(v) for k, v in doc.items() if k in known})

    def save(self, settings: LetterSettings, *, officer_sub: str, now: datetime) -> None:
        fields = {k: v for k, v in asdict(settings).items() if k not in ("district_code", "saved")}
        self.settings.update_one({"_id": settings.district_code},
                                 {"$set": {**fields, "updated_by": officer_sub, "updated_at": now}}, upsert=True)


class LetterNumbers:
    """The district's running numbers for outgoing letters, per Buddhist Era year."""

    def __init__(self, db: Database[Doc]) -> None:
        self.counters = db["letter_numbers"]

    def reserve(self, district_code: str, year_be: int, count: int) -> range:
        """``count`` consecutive numbers no one else gets: one atomic ``$inc``, so two officers printing at
        once get disjoint ranges."""
        if count < 1:
            return range(0)
        doc = self.counters.find_one_and_update(
            {"_id": f"{district_code}:{year_be}"}, {"$inc": {"last": count}}, upsert=True,
            return_document=ReturnDocument.AFTER)
        assert doc is not None  # upsert with ReturnDocument.AFTER always returns the document
        last = int(doc["last"])
        return range(last - count + 1, last + 1)


def letter_number(prefix: str, running: int) -> str:
    """``มท ๐๓๑๘.๑/๑๒๓``: the prefix, a slash and the running number, in Thai digits."""
    return to_thai_digits(f"{prefix}/{running}")
