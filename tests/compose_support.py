"""What the compose tests read about a service: its compose environment, the settings classes it builds at
start and the environment variable names those read."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from functools import cache
from typing import Any

import pytest
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from contracts.web import TRUSTED_PROXY_HOPS_ENV

# Read by contracts code every service uses, outside any settings class.
CONTRACT_ENV = {TRUSTED_PROXY_HOPS_ENV}
PLACEHOLDER = "filled-in-by-the-operator-0123456789abcdef"  # long enough for secrets with a minimum length


def settings_class(service: str) -> Any:
    return importlib.import_module(f"{service}.settings").Settings


@cache
def settings_classes(service: str) -> tuple[type[BaseSettings], ...]:
    """Every pydantic-settings class defined in the service's package (its Settings, and e.g. registration's
    WebSettings of the pages): each is built from the environment when the service starts."""
    package = importlib.import_module(service)
    found: list[type[BaseSettings]] = []
    for module_info in pkgutil.walk_packages(package.__path__, f"{service}."):
        if module_info.name.rsplit(".", 1)[-1] == "__main__":
            continue  # runs the server on import
        module = importlib.import_module(module_info.name)
        found += [obj for obj in vars(module).values()
                  if inspect.isclass(obj) and issubclass(obj, BaseSettings) and obj.__module__ == module.__name__]
    assert settings_class(service) in found
    return tuple(found)


def env_names(service: str) -> set[str]:
    """The environment variable names a service reads: every field of its settings classes (first alias choice,
    else FIELD_NAME), and the few that contracts code reads itself."""
    names = set(CONTRACT_ENV)
    for cls in settings_classes(service):
        for name, field in cls.model_fields.items():
            alias = field.validation_alias
            if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
                names.add(alias.choices[0].upper())
            elif isinstance(alias, str):
                names.add(alias.upper())
            else:
                names.add(name.upper())
    return names


def fill_compose_environment(name: str, service: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's compose environment with every ``${VAR:?…}`` replaced by a placeholder value, as the
    operator's .env would. Variables of this test process that the service reads are removed first, so that
    nothing but compose decides."""
    for key in env_names(name):
        monkeypatch.delenv(key, raising=False)
    for key, value in environment(service).items():
        monkeypatch.setenv(key, re.sub(r"\$\{[^}]+\}", PLACEHOLDER, value))


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # KEY=value list form
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}
