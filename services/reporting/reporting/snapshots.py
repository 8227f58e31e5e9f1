"""A port in reporting's core: the figures a unit *submitted* for a month, frozen.

The exports feature prints a submitted month exactly as it was submitted, and only a month nobody has submitted
from the live totals. It may not import the monthly feature (features never import each other), so it asks this
port; the monthly feature answers it (``reporting.monthly.snapshot_port``) and ``reporting.main`` wires the two.

What counts as "the submitted figures" is the monthly cycle's rule, so the adapter decides it:
- a district: the version its province accepted (while the province's report stands submitted), otherwise its
  latest version while its report stands submitted; a returned report has no standing figures (None);
- a province: its latest version while it stands submitted, with each district's figures at the version the
  province included;
- the nation, which does not submit: the sum of every province's standing version once all provinces stand
  submitted (``version`` None), otherwise None.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Snapshot:
    level: str  # nation, province, district
    code: str  # TH, a 2-digit province, a 4-digit district
    period: str  # YYYY-MM
    version: int | None  # the submission's version; None for the nation (compiled from its provinces')
    submitted_at: datetime  # aware; the nation's: when its last province submitted
    figures: Mapping[str, int]  # cumulative figures at submission (``totals.figures.FIGURES``, money in satang)
    activity: Mapping[str, int]  # the month's daily series summed at submission (``totals.figures.DAILY``)
    children: tuple[Snapshot, ...] = field(default=())  # the units below, at the versions this one includes


class SubmittedFigures(Protocol):
    def figures_for(self, level: str, code: str, month: str) -> Snapshot | None:
        """The unit's standing submitted figures for ``month`` (``YYYY-MM``; the nation's code is "TH"), or
        None when the month has not been submitted (or was returned and not yet submitted again)."""
        ...
