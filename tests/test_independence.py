"""Services reach each other only over HTTP or Kafka: no service imports another's code."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "pyproject.toml").exists())


def imported_top_level_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def cross_imports() -> list[str]:
    offences = []
    for service in SERVICES:
        others = set(SERVICES) - {service}
        for path in sorted((ROOT / "services" / service).rglob("*.py")):
            for module in sorted(imported_top_level_modules(path) & others):
                offences.append(f"{path.relative_to(ROOT)} imports {module}")
    return offences


def test_the_four_services_exist() -> None:
    assert SERVICES == ["identity", "notify", "registration", "reporting"]


def test_no_service_imports_another() -> None:
    assert cross_imports() == []


def test_the_check_catches_a_cross_import(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from identity.domain import personas\nimport reporting.main as m\n")
    assert imported_top_level_modules(sneaky) == {"identity", "reporting"}
