"""The figures of the streamed totals: their names and labels, and the checked arithmetic on them. Pure: no I/O.

Province and nation figures are sums of district figures, so every figure here is additive: a count of
cases, or an amount in satang. Names are stable: they are the keys of the ``totals`` topic's rows and of
the dashboards' columns, with Thai and English labels in :data:`FIGURES` and :data:`DAILY`. What a case or an
event adds to them is ``reporting.totals.contributions``; reading it from an event, ``reporting.totals.events``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

NATION = "TH"
INT64_MAX = 2**63 - 1  # the widest integer every reader (BSON, Java, the database) stores without loss
BANGKOK = ZoneInfo("Asia/Bangkok")

Figures = Mapping[str, int]

# VALUE CLASSES. The totals' values (a case's snapshot and facts, its record, statements, happenings, buckets,
# day rows, rows) are slotted dataclasses, not frozen ones: a dozen are built per event, and a frozen dataclass's
# __init__ (object.__setattr__ per field) took 5.6x a plain one's here (770 ns vs 137 ns, nine fields). They are
# values all the same: nothing assigns to one after it is built; a changed value is a new one.


@dataclass(frozen=True)
class Label:
    th: str
    en: str
    satang: bool = False  # an amount of money in satang (the dashboards show baht); otherwise a count


# Per district (province and nation are sums). Counts are of cases, as they stand now.
FIGURES: dict[str, Label] = {
    "registrants": Label("ผู้ลงทะเบียน", "Registrants"),
    "registrants_self_online": Label("ลงทะเบียนออนไลน์ด้วยตนเอง", "Registered online"),
    "registrants_thaid_app": Label("ลงทะเบียนผ่านแอป ThaiD", "Registered through the ThaiD app"),
    "registrants_desk": Label("ลงทะเบียนที่ที่ว่าการอำเภอ", "Registered at a district desk"),
    "registrants_paper": Label("ลงทะเบียนด้วยแบบฟอร์มกระดาษ", "Registered on a paper form"),
    "creditors": Label("เจ้าหนี้ (ราย)", "Creditors"),
    "debts": Label("หนี้ (รายการ)", "Debts"),
    "principal_satang": Label("เงินต้น", "Principal", satang=True),
    "outstanding_satang": Label("มูลหนี้คงค้าง", "Outstanding debt", satang=True),
    "contacted": Label("ติดต่อลูกหนี้แล้ว", "Debtor contacted"),
    "wants_mediation": Label("ประสงค์ไกล่เกลี่ย", "Wants mediation"),
    "declined_mediation": Label("ไม่ประสงค์ไกล่เกลี่ย", "Declined mediation"),
    "unreachable": Label("ติดต่อไม่ได้", "Unreachable"),
    "mediation_entered": Label("เข้าสู่การไกล่เกลี่ย", "Entered mediation"),
    "mediation_succeeded": Label("ไกล่เกลี่ยสำเร็จ", "Mediation succeeded (agreement)"),
    "mediation_failed": Label("ไกล่เกลี่ยไม่สำเร็จ", "Mediation failed (no agreement)"),
    "debt_before_satang": Label("มูลหนี้ก่อนไกล่เกลี่ย", "Debt before mediation (agreements)", satang=True),
    "debt_after_satang": Label("มูลหนี้หลังไกล่เกลี่ย", "Debt after mediation (agreements)", satang=True),
    "debt_reduced_satang": Label("มูลหนี้ที่ลดลง", "Debt reduced (agreements)", satang=True),
    "referred_law": Label("ส่งต่อตำรวจหรืออัยการ", "Referred to police or prosecution"),
    "referred_police": Label("ส่งต่อตำรวจ", "Referred to police"),
    "referred_prosecution": Label("ส่งต่ออัยการ", "Referred to prosecution"),
    "referred_bank": Label("ส่งต่อธนาคาร (ออมสิน/ธ.ก.ส.)", "Referred to a bank (GSB/BAAC)"),
    "referred_gsb": Label("ส่งต่อธนาคารออมสิน", "Referred to GSB"),
    "referred_baac": Label("ส่งต่อ ธ.ก.ส.", "Referred to BAAC"),
    "referred_other_help": Label("ส่งต่อความช่วยเหลืออื่น", "Referred to other help"),
    "referred_jobs": Label("ส่งต่อหางาน", "Referred to jobs"),
    "referred_training": Label("ส่งต่อฝึกอาชีพ", "Referred to training"),
    "referred_legal_aid": Label("ส่งต่อช่วยเหลือทางกฎหมาย", "Referred to legal aid"),
    "referred_other": Label("ส่งต่ออื่น ๆ", "Referred elsewhere"),
    "excessive_interest": Label("ดอกเบี้ยเกินกฎหมาย", "Excessive interest"),
    "closed": Label("ปิดเรื่องแล้ว", "Closed"),
    # Transfers are counted where they happened (in at the receiving district, out at the sending one);
    # a province's own in/out are the *_other_province figures, since a move inside it is neither.
    "transfers_in": Label("รับโอน", "Transferred in"),
    "transfers_out": Label("โอนออก", "Transferred out"),
    "transfers_in_other_province": Label("รับโอนจากจังหวัดอื่น", "Transferred in from another province"),
    "transfers_out_other_province": Label("โอนออกไปจังหวัดอื่น", "Transferred out to another province"),
}

# Per district and Bangkok day: events of each kind that day (not cases).
DAILY: dict[str, Label] = {
    "registrations": Label("ลงทะเบียน", "Registrations"),
    "contacts": Label("การติดต่อ", "Contact attempts"),
    "decisions": Label("บันทึกความประสงค์", "Mediation decisions"),
    "mediations_entered": Label("เข้าสู่การไกล่เกลี่ย", "Entered mediation"),
    "mediations_succeeded": Label("ไกล่เกลี่ยสำเร็จ", "Mediations succeeded"),
    "mediations_failed": Label("ไกล่เกลี่ยไม่สำเร็จ", "Mediations failed"),
    "referrals": Label("ส่งต่อ", "Referrals"),
    "closures": Label("ปิดเรื่อง", "Closures"),
    "reopenings": Label("เปิดเรื่องใหม่", "Reopenings"),
    "transfers_in": Label("รับโอน", "Transferred in"),
    "transfers_out": Label("โอนออก", "Transferred out"),
    "debt_reduced_satang": Label("มูลหนี้ที่ลดลง", "Debt reduced", satang=True),
}


class ImpossibleFigures(ValueError):
    """An event or total no real case or unit can have: a figure negative, not an integer (JSON Schema's
    "integer" also admits 1e20), beyond int64, or a district outside its province. Refused and counted,
    never applied."""


def plausible(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INT64_MAX:
        raise ImpossibleFigures(f"{name}={value!r} ({type(value).__name__})")
    return value


def checked(figures: Figures, names: Mapping[str, Label] = FIGURES) -> dict[str, int]:
    """``figures`` if every name is known and every value plausible (a sum can pass int64 even when each
    part is fine); raises :class:`ImpossibleFigures` otherwise."""
    for name, value in figures.items():  # on every change's path: one pass, no sets built
        if name not in names:
            raise ImpossibleFigures(f"unknown figures {sorted(set(figures) - set(names))}")
        if type(value) is not int or not 0 <= value <= INT64_MAX:  # bool is not int here
            plausible(name, value)  # raises, saying why
    return dict(figures)


def add(*parts: Figures) -> dict[str, int]:
    """The sum, without zeros (rows stay small; a missing figure is zero). On every event's path: written
    for speed (the first part copied, not added to an empty dict)."""
    if not parts:
        return {}
    total = dict(parts[0])
    get = total.get
    for part in parts[1:]:
        for name, value in part.items():
            total[name] = get(name, 0) + value
    return {name: value for name, value in total.items() if value}


def shift(total: dict[str, int], old: Figures, new: Figures) -> None:
    """``total -= old; total += new``, in place (zeros may stay)."""
    get = total.get
    for name, value in old.items():
        total[name] = get(name, 0) - value
    for name, value in new.items():
        total[name] = get(name, 0) + value


def moved(totals: Figures, old: Figures, new: Figures) -> dict[str, int]:
    """``totals - old + new``, without zeros: one case's figures replaced in a sum, in one pass."""
    total = dict(totals)
    shift(total, old, new)
    return {name: value for name, value in total.items() if value}


def diff(old: Figures, new: Figures) -> dict[str, int]:
    """``new - old``, without zeros."""
    return moved({}, old, new)


def bangkok_day(occurred_at: str) -> str:
    """The Asia/Bangkok calendar day of an event, as YYYY-MM-DD (the day DOPA reports it under)."""
    moment = datetime.fromisoformat(occurred_at)
    if moment.tzinfo is None:
        raise ImpossibleFigures(f"occurred_at without a time zone: {occurred_at!r}")
    return moment.astimezone(BANGKOK).date().isoformat()
