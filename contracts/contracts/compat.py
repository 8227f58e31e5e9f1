"""Backward-compatibility rules for event schemas.

A published ``(event type, version)`` is a promise to every consumer: a later edit of the same
version may only add optional properties (never to an object that forbids undeclared ones, such as
``facts``) or loosen nothing a consumer relies on. Anything else needs a new version.
``breaking_changes`` names every field that breaks the promise.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contracts import registry

Schema = dict[str, Any]
_NARROWING_BOUNDS: dict[str, Callable[[float, float], bool]] = {
    "minimum": lambda old, new: new > old,
    "exclusiveMinimum": lambda old, new: new > old,
    "maximum": lambda old, new: new < old,
    "exclusiveMaximum": lambda old, new: new < old,
    "minLength": lambda old, new: new > old,
    "maxLength": lambda old, new: new < old,
}


def _types(node: Schema) -> set[str]:
    declared = node.get("type")
    if declared is None:
        return set()
    return {declared} if isinstance(declared, str) else set(declared)


def _compare_node(old: Schema, new: Schema, where: str) -> list[str]:
    problems: list[str] = []
    old_types, new_types = _types(old), _types(new)
    if old_types and not old_types <= new_types:
        problems.append(f"{where}: type changed from {sorted(old_types)} to {sorted(new_types)}")
    if "const" in old and new.get("const", old["const"]) != old["const"]:
        problems.append(f"{where}: const changed from {old['const']!r} to {new.get('const')!r}")
    old_enum: list[object] = list(old.get("enum") or [])
    new_enum: list[object] = list(new.get("enum") or old_enum)
    if old_enum and not set(old_enum) <= set(new_enum):
        removed = sorted(set(old_enum) - set(new_enum), key=str)
        problems.append(f"{where}: enum values removed {removed}")
    for key in ("pattern", "format"):
        if old.get(key) != new.get(key) and key in new:
            problems.append(f"{where}: {key} changed from {old.get(key)!r} to {new[key]!r}")
    for bound, narrows in _NARROWING_BOUNDS.items():
        if bound in new and (bound not in old or narrows(old[bound], new[bound])):
            problems.append(f"{where}: {bound} narrowed to {new[bound]!r}")
    problems += _compare_properties(old, new, where)
    if "items" in old and isinstance(old["items"], dict):
        problems += _compare_node(old["items"], new.get("items", {}), f"{where}[]")
    return problems


def _compare_properties(old: Schema, new: Schema, where: str) -> list[str]:
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    prefix = f"{where}." if where else ""
    for name, old_sub in old_props.items():
        if name not in new_props:
            problems.append(f"{prefix}{name}: field removed")
        else:
            problems += _compare_node(old_sub, new_props[name], f"{prefix}{name}")
    old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
    for name in sorted(new_required - old_required):
        problems.append(f"{prefix}{name}: field became required")
    for name in sorted(old_required - new_required):
        problems.append(f"{prefix}{name}: field no longer required (consumers rely on it)")
    if old.get("additionalProperties", True) is not False and new.get("additionalProperties") is False:
        problems.append(f"{where or '<root>'}: additionalProperties closed")
    if old.get("additionalProperties") is False:
        # A closed object (e.g. ``facts``) refuses what it does not declare: consumers still on the old
        # schema would reject every event carrying the new field, so even an optional one needs a new version.
        for name in sorted(set(new_props) - set(old_props)):
            problems.append(f"{prefix}{name}: field added to a closed object (consumers on the old schema refuse it)")
    return problems


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Every way ``new`` breaks consumers or producers written against ``old``."""
    return _compare_node(old, new, "")


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def published_schemas(ref: str, repo: Path) -> dict[tuple[str, int], Schema]:
    """The schemas as committed at ``ref`` (e.g. ``main``)."""
    rel = registry.SCHEMAS_DIR.relative_to(repo)
    listing = _git("ls-tree", "-r", "--name-only", ref, "--", str(rel), cwd=repo)
    found: dict[tuple[str, int], Schema] = {}
    for line in listing.splitlines():
        path = Path(line)
        if path.suffix == ".json" and path.stem.startswith("v"):
            found[(path.parent.name, int(path.stem[1:]))] = json.loads(_git("show", f"{ref}:{line}", cwd=repo))
    return found


def check_against(ref: str, repo: Path) -> list[str]:
    """Breaking changes of the working tree's schemas against those committed at ``ref``."""
    problems: list[str] = []
    for (event_type, version), old in sorted(published_schemas(ref, repo).items()):
        path = registry.schema_path(event_type, version)
        if not path.exists():
            problems.append(f"{event_type} v{version}: published schema deleted")
            continue
        current = json.loads(path.read_text(encoding="utf-8"))
        problems += [f"{event_type} v{version}: {p}" for p in breaking_changes(old, current)]
    return problems
