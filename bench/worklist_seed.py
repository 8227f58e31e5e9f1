"""Realistic stored cases for bench/worklist, built by the service's own code (``case_doc`` for the
registration, ``changed_fields`` for the casework done since) and inserted in bulk, not through HTTP."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.collection import Collection

from registration.cases.case import Case, ContactAttempt, MediationSession, Status, TimelineEntry
from registration.cases.docs import case_doc, case_from_doc, changed_fields
from registration.cases.model import Address, Channel, Creditor, Debt, Debtor, NewCase
from registration.kernel import admin_areas
from registration.kernel.interest import InterestRate, Period
from registration.kernel.receipts import thai_date

HOT_DISTRICT = "4701"
OFFICERS = tuple(f"officer-{i}" for i in range(1, 6))
GIVEN = ("สมศรี", "สมชาย", "มานี", "ปิติ", "ชูใจ", "วีระ", "อำนาจ", "บุญมี", "สุดา", "ประเสริฐ", "กาญจนา", "ทองใบ")
FAMILY = ("ใจดี", "รักไทย", "มั่นคง", "ศรีสุข", "ทองดี", "แก้วมณี", "บุญเรือง", "สายทอง", "พรหมมา", "จันทร์เพ็ญ")
# Roughly where a campaign's cases stand a few months in.
STATUS_WEIGHTS: dict[Status, int] = {
    Status.NEW: 35, Status.CONTACTING: 20, Status.WANTS_MEDIATION: 8, Status.IN_MEDIATION: 7, Status.DECLINED: 5,
    Status.UNREACHABLE: 5, Status.RESOLVED: 10, Status.NOT_RESOLVED: 3, Status.REFERRED: 4, Status.WITHDRAWN: 1,
    Status.CLOSED: 2,
}
OPEN = {Status.NEW, Status.CONTACTING, Status.WANTS_MEDIATION, Status.IN_MEDIATION}


def citizen_id(n: int) -> str:
    first12 = f"3{n:011d}"
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10
    return first12 + str(check)


def _debts(rnd: random.Random) -> tuple[Debt, ...]:
    debts = []
    for _ in range(rnd.choice((1, 1, 1, 2, 3))):
        principal = rnd.randrange(2_000, 200_000) * 100
        period = rnd.choice((Period.DAY, Period.MONTH, Period.MONTH, Period.YEAR))
        rate = {Period.DAY: rnd.choice((10, 20, 50)), Period.MONTH: rnd.choice((100, 125, 500, 1000, 2000)),
                Period.YEAR: rnd.choice((1200, 1500, 3600))}[period]
        debts.append(Debt(principal_satang=principal, outstanding_satang=principal + rnd.randrange(0, principal),
                          interest=InterestRate(rate, period), instalment_satang=rnd.randrange(100, 2_000) * 100,
                          instalment_frequency=rnd.choice(("daily", "weekly", "monthly")),
                          collateral=("id_card",) if rnd.random() < 0.25 else (), threatened=rnd.random() < 0.15))
    return tuple(debts)


def new_case(n: int, district_code: str, rnd: random.Random) -> NewCase:
    sub = rnd.choice(admin_areas.subdistricts_of(district_code))
    address = Address(f"{rnd.randrange(1, 300)} หมู่ {rnd.randrange(1, 15)}", sub.code, district_code,
                      district_code[:2], (sub.postal_codes or ("10000",))[0])
    debtor = Debtor(citizen_id(n), rnd.choice(GIVEN), rnd.choice(FAMILY), address, rnd.choice(("นาย", "นาง", "นางสาว")),
                    phone=f"+6681{n % 10_000_000:07d}", occupation="ค้าขาย", monthly_income_satang=900_000)
    creditors = tuple(Creditor(_debts(rnd), "person", f"เจ้าหนี้ {rnd.randrange(1, 500)}",
                               f"+6689{rnd.randrange(0, 10_000_000):07d}", how_met="acquaintance")
                      for _ in range(rnd.choice((1, 1, 2))))
    return NewCase(debtor, rnd.choice((Channel.SELF_ONLINE, Channel.THAID_APP, Channel.DESK)), creditors,
                   ("mediation",), privacy_acknowledged=True)


def _worked(case: Case, rnd: random.Random, now: datetime) -> Case:
    """The casework a case in its status would have had: contacts, a session, an assignee, a due date."""
    status = rnd.choices(tuple(STATUS_WEIGHTS), tuple(STATUS_WEIGHTS.values()))[0]
    officer = rnd.choice(OFFICERS) if rnd.random() < 0.4 else None
    since = case.created_at + timedelta(days=rnd.randrange(1, 20))
    contacts = () if status is Status.NEW else (ContactAttempt("phone", "reached", thai_date(since), officer or "x",
                                                               since),)
    sessions: tuple[MediationSession, ...] = ()
    if status in (Status.IN_MEDIATION, Status.RESOLVED, Status.NOT_RESOLVED):
        sessions = (MediationSession(1, since + timedelta(days=14), "ที่ว่าการอำเภอ", "ปลัดอำเภอ",
                                     state="scheduled" if status is Status.IN_MEDIATION else "held"),)
    due = None
    if status in OPEN:
        due = thai_date(now) + timedelta(days=rnd.randrange(-30, 60))
    timeline = (TimelineEntry(case.created_at, "CaseRegistered", "registration"),
                *(TimelineEntry(c.at, "CaseContacted", c.by, case.district_code) for c in contacts))
    return replace(case, revision=case.revision + len(contacts), updated_at=since if contacts else case.updated_at,
                   status=status, assigned_to=officer, next_action_due=due, contacts=contacts, sessions=sessions,
                   decision="wants_mediation" if status in (Status.WANTS_MEDIATION, Status.IN_MEDIATION) else None,
                   timeline=timeline)


def documents(total: int, hot: int, seed: int = 7, now: datetime | None = None,
              others: Sequence[str] | None = None, receipt_year: int = 2569) -> Iterator[dict[str, Any]]:
    """``total`` cases, the first ``hot`` of them in ``HOT_DISTRICT``, the rest spread over ``others`` (default:
    every other district in the country), registered over the past year; receipt numbers of ``receipt_year``
    (another year than the service's counter leaves room for registrations through the service)."""
    rnd = random.Random(seed)  # noqa: S311 - test data, the same every run
    now = now or datetime.now(UTC)
    districts = list(others) if others is not None else [
        d.code for p in admin_areas.all_provinces() for d in admin_areas.districts_of(p.code)
        if d.code != HOT_DISTRICT and admin_areas.subdistricts_of(d.code)]
    running: dict[str, int] = {}
    for n in range(total):
        district = HOT_DISTRICT if n < hot else rnd.choice(districts)
        province = district[:2]
        running[province] = running.get(province, 0) + 1
        created = now - timedelta(seconds=rnd.randrange(3600, 365 * 86400), milliseconds=rnd.randrange(1000))
        created = created.replace(microsecond=created.microsecond // 1000 * 1000)  # BSON keeps milliseconds
        receipt = f"{province}-{receipt_year}-{running[province]:06d}"
        doc = case_doc(f"c-{uuid.UUID(int=rnd.getrandbits(128)).hex}", receipt, "2569", new_case(n, district, rnd),
                       created, "bench")
        doc.update(changed_fields(_worked(case_from_doc(doc), rnd, now)))
        yield doc


def seed(cases: Collection[dict[str, Any]], total: int, hot: int, batch: int = 2_000) -> int:
    """Inserts the cases in batches; returns how many."""
    pending: list[dict[str, Any]] = []
    count = 0
    for doc in documents(total, hot):
        pending.append(doc)
        if len(pending) == batch:
            cases.insert_many(pending, ordered=False)
            count, pending = count + len(pending), []
    if pending:
        cases.insert_many(pending, ordered=False)
        count += len(pending)
    return count
