"""The four services as the dev stack starts them: module, port variable and default port."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port_var: str
    default_port: int

    @property
    def module(self) -> str:
        return self.name


SERVICES = (
    ServiceSpec("identity", "IDENTITY_PORT", 8002),  # first: the others fetch its OIDC discovery
    ServiceSpec("registration", "REGISTRATION_PORT", 8001),
    ServiceSpec("reporting", "REPORTING_PORT", 8003),
    ServiceSpec("notify", "NOTIFY_PORT", 8004),
)
