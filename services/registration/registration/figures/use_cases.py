"""The figures export: who may read it, and its lines (NDJSON: a head, one line per case, an end)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from contracts.access import may_read_figures_export
from contracts.claims import Claims
from registration.cases.errors import Forbidden
from registration.cases.store import CaseRepository
from registration.figures.reading import CaseSource, StoredCases
from registration.figures.snapshot import case_line, end_line, head_line

NOT_ALLOWED = ("figures.forbidden", "ข้อมูลตัวเลขรายเรื่องสำหรับกระทบยอดอ่านได้เฉพาะบริการรายงานผลและผู้ดูแลระบบของกรมการปกครอง",
               "The per-case figures export is for the reporting service and DOPA administrators only.")


class FiguresExport:
    def __init__(self, source: CaseSource, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.source = source
        self.now = now

    @classmethod
    def of(cls, repo: CaseRepository) -> FiguresExport:
        return cls(StoredCases(repo))

    def lines(self, claims: Claims) -> Iterator[bytes]:
        """The export as NDJSON lines; refuses (before anything is read) whoever may not read it. No audit
        record: the export holds no personal data (codes, counts, amounts, as case events do)."""
        if not may_read_figures_export(claims):
            raise Forbidden(*NOT_ALLOWED)
        return self._lines()

    def _lines(self) -> Iterator[bytes]:
        yield _ndjson(head_line(self.now().isoformat()))
        count = 0
        for page in self.source.pages():
            for case in page:
                count += 1
                yield _ndjson(case_line(case))
        yield _ndjson(end_line(count))


def _ndjson(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
