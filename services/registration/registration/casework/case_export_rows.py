"""What a case-list export holds: its scope, its columns and one row per case (pure: no I/O).

The export is the worklist's rows (``casework.worklist.WorklistRow``: the same projection, so it reads what the
worklist reads) written one per line, in the order of the scope's registered-time index. It holds personal data,
so it shows no more than the worklist does: the citizen ID masked, no address, no phone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from contracts.xlsx import safe_text
from registration.casework.vocabulary import STATUS
from registration.casework.worklist import WorklistRow
from registration.casework.worklist_cursor import field_value
from registration.casework.worklist_request import DEBT, DUE, FLAGS, REGISTERED, TIE, Doc
from registration.kernel import admin_areas
from registration.kernel.receipts import thai_date
from registration.kernel.thai import format_be_date

ExportLevel = Literal["district", "province"]


@dataclass(frozen=True)
class ExportScope:
    """The cases of one district, or of one province (every district in it)."""

    level: ExportLevel
    code: str

    def filter(self) -> Doc:
        # ``$eq``: nx-27017 reads a bare equality as "or an array holding it" and then uses no index.
        return {f"{self.level}_code": {"$eq": self.code}}

    @property
    def name_th(self) -> str:
        area = admin_areas.district(self.code) if self.level == "district" else admin_areas.province(self.code)
        prefix = "อำเภอ" if self.level == "district" else "จังหวัด"
        return f"{prefix}{area.name_th if area else self.code}"


def export_scope(worklist_scope: tuple[str, str], province_code: str | None,
                 district_code: str | None) -> ExportScope | None:
    """The scope asked for within one's worklist scope (``contracts.access.worklist_scope``), or None when it
    is outside it. A district exports its own cases; a province its own or one of its districts'; DOPA one
    province or one district (a nationwide list is not a district's or a province's work)."""
    level, code = worklist_scope
    if district_code:
        inside = (level == "nation" or (level == "province" and district_code.startswith(code))
                  or (level == "district" and district_code == code))
        if not inside or admin_areas.district(district_code) is None:
            return None
        return ExportScope("district", district_code)
    if province_code:
        inside = level == "nation" or (level == "province" and province_code == code)
        return ExportScope("province", province_code) if inside and admin_areas.province(province_code) else None
    if level == "district":
        return ExportScope("district", code)
    if level == "province":
        return ExportScope("province", code)
    return None


# The scope's own registered-time index (``worklist_<level>_registered``) gives this order without a sort.
ORDER: list[tuple[str, int]] = [(REGISTERED, -1), (TIE, -1)]

HEADERS: tuple[str, ...] = (
    "เลขที่รับเรื่อง", "ชื่อ-นามสกุล", "เลขประจำตัวประชาชน (ปิดบางส่วน)", "จังหวัด", "อำเภอ", "ตำบล", "สถานะ",
    "วันที่ลงทะเบียน", "กำหนดดำเนินการถัดไป", "มูลหนี้คงค้าง (บาท)", "ดอกเบี้ยเกินกฎหมาย", "ถูกข่มขู่",
    "มีทรัพย์สินค้ำประกันอยู่กับเจ้าหนี้", "มอบหมายแล้ว", "ขอโอนไปอำเภอ",
)
WIDTHS: tuple[int, ...] = (16, 28, 22, 14, 18, 18, 26, 16, 16, 16, 10, 10, 14, 10, 14)
MONEY_COLUMN = 9
FLAG_LABELS = {True: "ใช่", False: ""}


# Only the fields a row shows, as an inclusion projection (no ``_id: 0``, nothing computed): nx-27017 answers an
# aggregate with such a ``$project`` after ``$match``/``$sort``/``$limit`` in SQL; see ``case_export.read_pages``.
EXPORT_PROJECTION: Doc = {name: 1 for name in (
    TIE, "citizen_id", "debtor.title", "debtor.given_name", "debtor.family_name", "province_code", "district_code",
    "subdistrict_code", "status", REGISTERED, DUE, DEBT, *FLAGS, "assigned_to", "transfer_to")}
_THAI_OFFSET = timedelta(hours=7)  # Thailand keeps no daylight saving time


class AreaNames:
    """Thai names of area codes, looked up once each (a province's export repeats a few dozen codes). An unknown
    code is shown as it is stored, made safe for a cell (``contracts.xlsx.safe_text``) like any stored text."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def __call__(self, code: str) -> str:
        name = self._names.get(code)
        if name is None:
            lookup: Callable[[str], admin_areas.Area | None] = {
                2: admin_areas.province, 4: admin_areas.district, 6: admin_areas.subdistrict,
            }.get(len(code), lambda _: None)
            area = lookup(code)
            name = self._names[code] = area.name_th if area else safe_text(code)
        return name


def row_values(doc: Doc, names: AreaNames) -> tuple[object, ...]:
    """One case as the export's cells: texts, a BE date as text, the debt in baht as a number."""
    row = WorklistRow.of(doc)
    return (
        row.receipt_no,
        row.name,
        row.citizen_id_masked,
        names(row.province_code),
        names(row.district_code),
        names(row.subdistrict_code) if row.subdistrict_code else "",
        STATUS[row.status][0],
        format_be_date(thai_date(row.registered_at)),
        format_be_date(row.next_action_due) if row.next_action_due else "",
        row.outstanding_satang / 100,
        FLAG_LABELS["excessive_interest" in row.flags],
        FLAG_LABELS["threatened" in row.flags],
        FLAG_LABELS["collateral_held" in row.flags],
        FLAG_LABELS[row.assigned_to is not None],
        names(row.transfer_to) if row.transfer_to else "",
    )


def stored_time(value: Any) -> datetime | None:
    """A stored time as an aware datetime: MongoDB gives a datetime; nx-27017's SQL path gives the JSON text it
    stores (``{"$date":"2026-12-01T04:31:58.400000"}``, naive UTC) or an ISO text."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        text = value[10:-2] if value.startswith('{"$date":"') else value
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


class CaseCells:
    """Stored case → the export's cells, fast: the row in ``row_values``' shape, built straight from the projected
    document (no intermediate row object), BE dates and labels looked up once each, every stored text made safe
    for a cell here (``safe_text``), so the writer writes texts as they come. An empty text stands for an empty
    cell. Reads both MongoDB's shape and nx-27017's (dotted names flat, flags as 1/0, times as text)."""

    def __init__(self) -> None:
        self.names = AreaNames()
        self._days: dict[date, str] = {}
        self._dues: dict[str, str] = {}
        self._status = {status.value: label[0] for status, label in STATUS.items()}

    def _day(self, day: date) -> str:
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = format_be_date(day)
        return text

    def _due(self, due: Any) -> str:
        if not isinstance(due, str) or not due:
            return ""
        text = self._dues.get(due)
        if text is None:
            text = self._dues[due] = format_be_date(date.fromisoformat(due[:10]))
        return text

    def __call__(self, doc: Doc) -> tuple[object, ...]:
        get, names = doc.get, self.names
        title = field_value(doc, "debtor.title") or ""
        given = field_value(doc, "debtor.given_name") or ""
        family = field_value(doc, "debtor.family_name") or ""
        citizen_id = get("citizen_id") or ""
        registered = stored_time(get(REGISTERED))
        subdistrict, transfer = get("subdistrict_code"), get("transfer_to")
        status = get("status") or "new"
        return (
            safe_text(str(get(TIE) or "")),
            safe_text(f"{title}{given} {family}" if family and (title or given) else f"{title}{given}{family}"),
            safe_text("x-xxxx-xxxxx-" + citizen_id[-4:-2] + "-" + citizen_id[-1:]) if citizen_id else "",
            names(get("province_code") or ""),
            names(get("district_code") or ""),
            names(subdistrict) if subdistrict else "",
            self._status.get(status) or safe_text(str(status)),
            self._day((registered + _THAI_OFFSET).date()) if registered else "",
            self._due(get(DUE)),
            int(field_value(doc, DEBT) or 0) / 100,
            *(FLAG_LABELS[flag is True or flag == 1] for flag in (get(name) for name in FLAGS)),
            FLAG_LABELS[get("assigned_to") is not None],
            names(transfer) if transfer else "",
        )
