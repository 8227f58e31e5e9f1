"""Reading every case of the store in pages, through the case core (``cases.store``, ``cases.docs``).

nx-27017 (the dev stand-in for MongoDB, docs/benchmarks.md "What nx-27017 needed") pages fast only by an
indexed unique key compared without ``$or``, and cannot compare ``_id`` in SQL: pages follow ``receipt_no``
(unique index ``receipt_no``) with ``{"$gt": last}``, which a real MongoDB serves from the same index.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from pymongo import ASCENDING

from registration.cases.case import Case
from registration.cases.docs import case_from_doc
from registration.cases.store import CaseRepository

PAGE_SIZE = 500
# The case's history of who did what: the reporting facts never need it, and it grows with every change.
WITHOUT = {"timeline": 0}


class CaseSource(Protocol):
    def pages(self) -> Iterator[list[Case]]:
        """Every case once, in pages, in a stable order."""
        ...


class StoredCases:
    """The case repository's cases, page by page (one ``find`` each, so no cursor stays open for long)."""

    def __init__(self, repo: CaseRepository, page_size: int | None = None) -> None:
        self.cases = repo.cases
        self.page_size = page_size or PAGE_SIZE

    def pages(self) -> Iterator[list[Case]]:
        last = ""  # every receipt number sorts after the empty string
        while True:
            docs = list(self.cases.find({"receipt_no": {"$gt": last}}, WITHOUT).sort("receipt_no", ASCENDING)
                        .limit(self.page_size))
            if not docs:
                return
            yield [case_from_doc(doc) for doc in docs]
            if len(docs) < self.page_size:
                return
            last = str(docs[-1]["receipt_no"])
