"""A published schema version may only grow optional fields; anything else fails the suite."""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path

import pytest

from contracts import compat, registry

REPO = Path(__file__).resolve().parents[2]
CURRENT = registry.schema("CaseRegistered", 1)


def edited(change: str) -> dict[str, object]:
    schema = copy.deepcopy(CURRENT)
    props, required = schema["properties"], schema["required"]
    if change == "remove district_code":
        del props["district_code"]
        required.remove("district_code")
    elif change == "retype creditor_count":
        props["creditor_count"]["type"] = "string"
    elif change == "require new field":
        props["subdistrict_code"] = {"type": "string"}
        required.append("subdistrict_code")
    elif change == "drop a channel":
        props["channel"]["enum"] = ["self_online", "desk", "paper"]
    elif change == "optional province_code":
        required.remove("province_code")
    elif change == "tighten pattern":
        props["district_code"]["pattern"] = "^[1-9][0-9]{3}$"
    elif change == "raise minimum":
        props["principal_satang"]["minimum"] = 100
    return schema


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("remove district_code", "district_code: field removed"),
        ("retype creditor_count", "creditor_count: type changed"),
        ("require new field", "subdistrict_code: field became required"),
        ("drop a channel", "channel: enum values removed ['thaid_app']"),
        ("optional province_code", "province_code: field no longer required"),
        ("tighten pattern", "district_code: pattern changed"),
        ("raise minimum", "principal_satang: minimum narrowed"),
    ],
)
def test_breaking_change_is_named_by_field(change: str, field: str) -> None:
    problems = compat.breaking_changes(CURRENT, edited(change))
    assert any(p.startswith(field) for p in problems), problems


def test_adding_an_optional_field_is_compatible() -> None:
    schema = copy.deepcopy(CURRENT)
    schema["properties"]["subdistrict_code"] = {"type": "string", "pattern": "^[0-9]{6}$"}
    schema["properties"]["channel"]["enum"].append("line_oa")
    assert compat.breaking_changes(CURRENT, schema) == []


def test_adding_a_field_to_a_closed_object_is_breaking() -> None:
    old = registry.schema("CaseUpdated", 1)
    new = copy.deepcopy(old)
    new["properties"]["facts"]["properties"]["arrears_satang"] = {"type": ["integer", "null"], "minimum": 0}
    problems = compat.breaking_changes(old, new)
    assert any(p.startswith("facts.arrears_satang: field added to a closed object") for p in problems), problems


def _base_ref() -> str:
    ref = os.environ.get("CONTRACTS_BASE_REF", "main")
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", ref], cwd=REPO, capture_output=True)
    assert found.returncode == 0, f"git ref {ref!r} not found: set CONTRACTS_BASE_REF to the published branch"
    return ref


def test_working_tree_schemas_stay_compatible_with_main() -> None:
    problems = compat.check_against(_base_ref(), REPO)
    assert not problems, "Incompatible schema change; publish a new version instead:\n" + "\n".join(problems)
