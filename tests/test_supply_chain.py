"""The internal packages are installed by path only: no service names another internal package as a
dependency, so pip can never fetch one of those (unclaimed) names from a public index."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["contracts", *(f"services/{p.name}" for p in sorted((ROOT / "services").iterdir())
                           if (p / "pyproject.toml").exists())]


def _project(path: str) -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((ROOT / path / "pyproject.toml").read_text())["project"]
    return project


def test_no_package_depends_on_an_internal_name() -> None:
    internal = {str(_project(p)["name"]).lower() for p in PACKAGES}
    assert len(internal) == len(PACKAGES) >= 5
    for path in PACKAGES:
        dependencies = _project(path).get("dependencies", [])
        assert isinstance(dependencies, list)
        names = {re.split(r"[\s<>=!~;\[@]", d, maxsplit=1)[0].lower() for d in dependencies}
        assert not names & internal, f"{path} depends on an internal package by name: {names & internal}"


def test_the_project_has_a_licence() -> None:
    assert "Apache License" in (ROOT / "LICENSE").read_text()[:200]
