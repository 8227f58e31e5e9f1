"""What a feature hands the app: its routers and its template folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter


@dataclass(frozen=True)
class Feature:
    name: str
    routers: Sequence[APIRouter]
    templates: Path | None = None
