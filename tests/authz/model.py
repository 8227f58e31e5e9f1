"""The entry format of the authorization matrix (see README.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

PERSONAS: dict[str, str | None] = {
    "citizen_owner": "citizen:1101700230708",
    "citizen_other": "citizen:3100600445635",
    "registrar_4701": "registrar:4701",
    "registrar_4702": "registrar:4702",
    "registrar_4801": "registrar:4801",
    "district_officer_4701": "district_officer:4701",
    "district_officer_4702": "district_officer:4702",
    "province_officer_47": "province_officer:47",
    "province_officer_48": "province_officer:48",
    "dopa_admin": "dopa_admin",
    "auditor": "auditor",
    "anonymous": None,
}
_OUTCOME = re.compile(r"^([1-5]xx|[1-5][0-9]{2})(\|([1-5]xx|[1-5][0-9]{2}))*$")


def expect(default: str, **overrides: str) -> dict[str, str]:
    """Every persona gets ``default`` unless named: ``expect("403", anonymous="401", dopa_admin="2xx")``."""
    unknown = set(overrides) - set(PERSONAS)
    if unknown:
        raise ValueError(f"unknown personas {sorted(unknown)}; known: {list(PERSONAS)}")
    return {persona: overrides.get(persona, default) for persona in PERSONAS}


def matches(outcome: str, status: int) -> bool:
    if not _OUTCOME.match(outcome):
        raise ValueError(f"bad outcome {outcome!r}: use 2xx/3xx/4xx, an exact code, or alternatives with |")
    return any(
        (alt.endswith("xx") and str(status)[0] == alt[0]) or alt == str(status) for alt in outcome.split("|")
    )


@dataclass(frozen=True)
class Call:
    json: Any = None
    data: Mapping[str, str] | None = None
    files: Mapping[str, tuple[str, bytes, str]] | None = None
    params: Mapping[str, str] | None = None
    headers: Mapping[str, str] | None = None
    csrf_from: str | None = None
    csrf_field: str = "csrf"


@dataclass(frozen=True)
class Context:
    values: Mapping[str, str]

    def citizen_id_of(self, persona: str) -> str | None:
        spec = PERSONAS.get(persona) or ""
        return spec.split(":", 1)[1] if spec.startswith("citizen:") else None


CallSpec = Call | Callable[[Context, str], Call] | None


@dataclass(frozen=True)
class Entry:
    method: str
    path: str
    expect: Mapping[str, str]
    call: CallSpec = None
    path_values: Mapping[str, str] = field(default_factory=dict)
    auth: Literal["bearer", "session", "gateway"] = "bearer"
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.method.upper(), self.path)

    def problems(self) -> list[str]:
        found = []
        missing = set(PERSONAS) - set(self.expect)
        if missing:
            found.append(f"{self.method} {self.path}: no expectation for {sorted(missing)}")
        for persona, outcome in self.expect.items():
            try:
                matches(outcome, 200)
            except ValueError as exc:
                found.append(f"{self.method} {self.path} [{persona}]: {exc}")
        return found

    def resolve_call(self, ctx: Context, persona: str) -> Call:
        if self.call is None:
            return Call()
        if isinstance(self.call, Call):
            return self.call
        return self.call(ctx, persona)
