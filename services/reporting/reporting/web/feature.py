"""What a feature hands the app: its routers and its template folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter

from reporting.web.context import NavLink


@dataclass(frozen=True)
class Feature:
    """``static`` is served at ``/reports/static/<name>/``; ``nav`` links appear in every page's header."""

    name: str
    routers: Sequence[APIRouter]
    templates: Path | None = None
    static: Path | None = None
    nav: Sequence[NavLink] = ()
