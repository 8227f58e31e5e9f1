"""Every topic, schema and example in contracts/ is consistent and valid."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from contracts import codec, registry

SERVICES = {"registration", "identity", "reporting", "notify"}
# PDPA minimisation: events carry codes, counts and amounts, never who the person is.
PERSONAL_FIELD = re.compile(r"citizen|name|phone|address|birth|email|line_id|pid", re.IGNORECASE)


def test_there_is_at_least_the_case_events_topic() -> None:
    spec = registry.topic("case-events")
    assert spec.key == "case_id"
    assert spec.carries("CaseRegistered", 1)


@pytest.mark.parametrize("spec", registry.topics().values(), ids=lambda s: s.name)
def test_topic_names_services_and_schemas_that_exist(spec: registry.TopicSpec) -> None:
    assert spec.partitions >= 1
    assert set(spec.producers) <= SERVICES and set(spec.consumers) <= SERVICES
    for event_type, versions in spec.events.items():
        for version in versions:
            assert registry.schema_path(event_type, version).exists(), (event_type, version)


@pytest.mark.parametrize(("event_type", "version"), registry.all_schemas())
def test_every_schema_has_valid_examples(event_type: str, version: int) -> None:
    examples = registry.examples(event_type, version)
    assert examples, f"{event_type} v{version} needs at least one example"
    for name, example in examples:
        assert codec.validate_for_produce(example) == (event_type, version), name


def _property_names(node: Any, where: str = "") -> Iterator[str]:
    """Every property name declared anywhere in a schema, nested objects (e.g. ``facts``) included."""
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            yield f"{where}{name}"
            yield from _property_names(sub, f"{where}{name}.")
        for key, sub in node.items():
            if key != "properties":
                yield from _property_names(sub, where)
    elif isinstance(node, list):
        for sub in node:
            yield from _property_names(sub, where)


@pytest.mark.parametrize(("event_type", "version"), registry.all_schemas())
def test_no_schema_carries_personal_data(event_type: str, version: int) -> None:
    names = list(_property_names(registry.schema(event_type, version)))
    assert names
    assert not [n for n in names if PERSONAL_FIELD.search(n.rsplit(".", 1)[-1])]
