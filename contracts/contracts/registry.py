"""Loads topic definitions and event schemas kept as files in this package."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent
TOPICS_DIR = ROOT / "topics"
SCHEMAS_DIR = ROOT / "schemas"
EXAMPLES_DIR = ROOT / "examples"

Schema = dict[str, Any]


@dataclass(frozen=True)
class TopicSpec:
    name: str
    key: str
    partitions: int
    replication_factor: int
    cleanup_policy: str
    retention_ms: int | None
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    events: dict[str, tuple[int, ...]]

    def carries(self, event_type: str, version: int) -> bool:
        return version in self.events.get(event_type, ())


def _topic_from_yaml(path: Path) -> TopicSpec:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return TopicSpec(
        name=raw["name"],
        key=raw["key"],
        partitions=int(raw["partitions"]),
        replication_factor=int(raw.get("replication_factor", 1)),
        cleanup_policy=raw.get("cleanup_policy", "delete"),
        retention_ms=raw.get("retention_ms"),
        producers=tuple(raw.get("producers", ())),
        consumers=tuple(raw.get("consumers", ())),
        events={name: tuple(versions) for name, versions in (raw.get("events") or {}).items()},
    )


@cache
def topics() -> dict[str, TopicSpec]:
    specs = (_topic_from_yaml(p) for p in sorted(TOPICS_DIR.glob("*.yaml")))
    return {spec.name: spec for spec in specs}


def topic(name: str) -> TopicSpec:
    try:
        return topics()[name]
    except KeyError:
        raise KeyError(f"unknown topic {name!r}; topics are defined in contracts/contracts/topics/") from None


def schema_path(event_type: str, version: int) -> Path:
    return SCHEMAS_DIR / event_type / f"v{version}.json"


@cache
def schema(event_type: str, version: int) -> Schema:
    path = schema_path(event_type, version)
    if not path.exists():
        raise KeyError(f"no schema for {event_type} v{version} (expected {path.relative_to(ROOT)})")
    loaded: Schema = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def all_schemas() -> list[tuple[str, int]]:
    return sorted(
        (p.parent.name, int(p.stem.removeprefix("v"))) for p in SCHEMAS_DIR.glob("*/v*.json")
    )


def examples(event_type: str, version: int) -> list[tuple[str, dict[str, Any]]]:
    folder = EXAMPLES_DIR / event_type / f"v{version}"
    return [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))]
