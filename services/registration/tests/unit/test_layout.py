"""The registration service's layout holds: features (intake, publicity, casework, …) stand beside a shared core
(kernel, cases, outbox, web) and never import one another; the kernel does no I/O; the core knows no feature;
pages and API routes call use cases, never a store or the database driver.

Imports are read with ``ast`` (as ``tests/test_independence.py`` does for services), so an import inside a
function or under ``TYPE_CHECKING`` counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import registration

PACKAGE = Path(registration.__file__).resolve().parent
CORE = frozenset({"kernel", "cases", "outbox", "web"})
IO_LIBRARIES = frozenset({"fastapi", "starlette", "pymongo", "bson", "confluent_kafka", "httpx", "jinja2"})
DATABASE_DRIVERS = frozenset({"pymongo", "bson", "motor"})


def packages(root: Path) -> set[str]:
    return {p.name for p in root.iterdir() if (p / "__init__.py").exists()}


def features(root: Path) -> set[str]:
    """Every sub-package that is not part of the core, including any added later."""
    return packages(root) - CORE


def _module_of(path: Path, root: Path) -> list[str]:
    """``registration.intake.pages`` as parts; a package's ``__init__`` is the package itself."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(path: Path, root: Path) -> set[str]:
    """Every module ``path`` imports, absolute and dotted; ``from a import b`` counts as ``a`` and ``a.b``
    (``b`` may be a module), and relative imports are resolved against the file's package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = _module_of(path, root)
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def _part_of(module: str, root: Path) -> str | None:
    """The top-level package of the service (``intake``, ``cases`` …) that ``module`` belongs to, if any."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == root.name else None


def _files(root: Path, package: str) -> list[Path]:
    return sorted((root / package).rglob("*.py"))


def _offences(found: set[tuple[Path, str]], root: Path) -> list[str]:
    return sorted(f"{path.relative_to(root)} imports {what}" for path, what in found)


def features_importing_features(root: Path) -> list[str]:
    """Offences name the other feature, once per file."""
    known = features(root)
    return _offences({(path, part) for feature in known for path in _files(root, feature)
                      for module in imported_modules(path, root)
                      if (part := _part_of(module, root)) in known and part != feature}, root)


def kernel_doing_io(root: Path) -> list[str]:
    return _offences({(path, top) for path in _files(root, "kernel") for module in imported_modules(path, root)
                      if (top := module.split(".")[0]) in IO_LIBRARIES}, root)


def core_importing_features(root: Path) -> list[str]:
    known = features(root)
    return _offences({(path, part) for core in CORE & packages(root) for path in _files(root, core)
                      for module in imported_modules(path, root) if (part := _part_of(module, root)) in known}, root)


def is_route_module(path: Path) -> bool:
    return path.name == "api.py" or (path.name.startswith("pages") and path.suffix == ".py")


def _storage(module: str) -> str | None:
    """The database driver or the ``…store`` module that ``module`` is or lies in, if any."""
    parts = module.split(".")
    if parts[0] in DATABASE_DRIVERS:
        return parts[0]
    return ".".join(parts[:parts.index("store") + 1]) if "store" in parts else None


def routes_reaching_storage(root: Path) -> list[str]:
    """Pages and API routes call use cases: no ``…store`` module (the case repository or a feature's own) and
    no database driver."""
    return _offences({(path, storage) for feature in features(root) for path in _files(root, feature)
                      if is_route_module(path) for module in imported_modules(path, root)
                      if (storage := _storage(module)) is not None}, root)


# ---- the service as it is ----

def test_the_core_and_the_features_exist() -> None:
    assert packages(PACKAGE) >= CORE
    assert {"intake", "publicity"} <= features(PACKAGE)


def test_no_feature_imports_another() -> None:
    assert features_importing_features(PACKAGE) == []


def test_the_kernel_does_no_io() -> None:
    assert kernel_doing_io(PACKAGE) == []


def test_the_core_imports_no_feature() -> None:
    assert core_importing_features(PACKAGE) == []


def test_pages_and_routes_call_use_cases_not_stores() -> None:
    assert routes_reaching_storage(PACKAGE) == []


# ---- the checks catch what they are for ----

def _plant(root: Path, files: dict[str, str]) -> Path:
    service = root / "registration"
    for name, text in {"kernel/__init__.py": "", "cases/__init__.py": "", "cases/store.py": "", "web/__init__.py": "",
                       "outbox/__init__.py": "", "intake/__init__.py": "", "publicity/__init__.py": "",
                       "main.py": "from registration import intake, publicity\n", **files}.items():
        path = service / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return service


def test_the_checks_catch_planted_violations(tmp_path: Path) -> None:
    root = _plant(tmp_path, {
        "intake/flow.py": "from registration.publicity.store import PublicityStore\n",
        "intake/pages_more.py": "from ..cases import store\nimport pymongo\n",
        "intake/api.py": "from registration.cases.store import CaseRepository\n",
        "publicity/use_cases.py": "def later() -> None:\n    from registration import intake\n",
        "letters/__init__.py": "from ..intake.flow import DESK\n",  # a feature added later is one too
        "kernel/money.py": "import httpx\nfrom fastapi import Request\n",
        "cases/audit.py": "from registration.intake.use_cases import Intake\n",
        "web/context.py": "from . import forms\nfrom registration.kernel import money\n",  # allowed
    })
    assert features(root) == {"intake", "publicity", "letters"}
    assert features_importing_features(root) == [
        "intake/flow.py imports publicity",
        "letters/__init__.py imports intake",
        "publicity/use_cases.py imports intake",
    ]
    assert kernel_doing_io(root) == ["kernel/money.py imports fastapi", "kernel/money.py imports httpx"]
    assert core_importing_features(root) == ["cases/audit.py imports intake"]
    assert routes_reaching_storage(root) == [
        "intake/api.py imports registration.cases.store",
        "intake/pages_more.py imports pymongo",
        "intake/pages_more.py imports registration.cases.store",
    ]


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    root = _plant(tmp_path, {"intake/pages.py": "from . import flow\nfrom .. import publicity\n"})
    found = imported_modules(root / "intake/pages.py", root)
    assert {"registration.intake.flow", "registration.publicity"} <= found
