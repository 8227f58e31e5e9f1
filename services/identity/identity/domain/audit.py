"""Audit entries (AuditRecorded v1) and how auditors search them. No personal data: the actor is a
token subject, the case an id; the entries are append-only by construction of the store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from contracts import codec
from contracts.claims import Claims

MAX_PAGE_SIZE = 200
MAX_PAGE = 10_000  # beyond this nobody is paging: a search narrows by person, case or time instead
_ACTION = re.compile(r"^[a-z_]+(\.[a-z_]*)?$")


def audit_event(
    actor: Claims,
    action: str,
    *,
    outcome: str = "allowed",
    case_id: str | None = None,
    target: str | None = None,
    source_ip: str | None = None,
    request_id: str | None = None,
) -> codec.Event:
    """An AuditRecorded v1 event written by identity itself (validated strictly, like any produce)."""
    return codec.new_event(
        "AuditRecorded",
        1,
        service="identity",
        actor_sub=actor.sub,
        actor_roles=sorted(r.value for r in actor.roles),
        actor_unit_code=actor.unit_code,
        action=action,
        outcome=outcome,
        case_id=case_id,
        target=target,
        source_ip=source_ip[:45] if source_ip else None,
        request_id=request_id[:64] if request_id else None,
    )


class QueryError(ValueError):
    def __init__(self, th: str, en: str) -> None:
        super().__init__(en)
        self.th, self.en = th, en


@dataclass(frozen=True)
class AuditQuery:
    actor_sub: str | None = None
    case_id: str | None = None
    action: str | None = None  # exact ("case.read") or a prefix ending in a dot ("case.")
    since: datetime | None = None
    until: datetime | None = None
    page: int = 1
    page_size: int = 50

    def __post_init__(self) -> None:
        if not 1 <= self.page <= MAX_PAGE or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise QueryError(f"หน้าต้องอยู่ระหว่าง 1–{MAX_PAGE:,} และขนาดหน้า 1–{MAX_PAGE_SIZE}",
                             f"page must be 1–{MAX_PAGE:,} and page_size 1–{MAX_PAGE_SIZE}")
        if self.action is not None and not _ACTION.match(self.action):
            raise QueryError("รูปแบบการกระทำไม่ถูกต้อง เช่น case.read", "action looks like case.read or case.")
        for value in (self.since, self.until):
            if value is not None and value.tzinfo is None:
                raise QueryError("ต้องระบุเขตเวลา", "times need a time zone")
        if self.since and self.until and self.since > self.until:
            raise QueryError("ช่วงเวลาไม่ถูกต้อง: เริ่มหลังสิ้นสุด", "since is after until")

    @property
    def skip(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class AuditPage:
    entries: list[codec.Event]
    total: int
    query: AuditQuery

    @property
    def has_next(self) -> bool:
        return self.query.page * self.query.page_size < self.total
