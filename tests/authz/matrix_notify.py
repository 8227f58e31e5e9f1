"""Authorization matrix entries for notify (format: README.md). Notify has only its ops endpoints so
far; every route it gains needs an entry here, or test_matrix fails."""

from __future__ import annotations

from tests.authz.model import Entry

ENTRIES: list[Entry] = []
