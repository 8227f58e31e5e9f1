"""Environment variables every service reads, with a guard against dev defaults in production."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class PlatformSettings(BaseSettings):
    """Base of each service's ``Settings``; same names on the dev stack and in production."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    env: Literal["dev", "test", "production"] = "dev"
    host: str = "127.0.0.1"
    mongodb_uri: str = "mongodb://127.0.0.1:27017/"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    oidc_issuer_url: str = "http://127.0.0.1:8080/realms/debt"  # the dev Keycloak `make run` starts
    oidc_audience: str = "debt-services"
    # Largest request body a service reads (env MAX_BODY_BYTES); bigger ones get 413 (contracts.api.BodyLimit).
    max_body_bytes: int = Field(1024 * 1024, ge=1024)

    # Fields a production deployment must set explicitly; each service may add its own secrets.
    required_in_production: tuple[str, ...] = (
        "mongodb_uri",
        "kafka_bootstrap_servers",
        "oidc_issuer_url",
    )

    @model_validator(mode="after")
    def _refuse_dev_defaults_in_production(self) -> PlatformSettings:
        if self.env != "production":
            return self
        unset = [f.upper() for f in self.required_in_production if f not in self.model_fields_set]
        if unset:
            raise ValueError(f"ENV=production but these are not set: {', '.join(unset)}")
        if not self.oidc_issuer_url.startswith("https://"):
            raise ValueError("ENV=production needs an https OIDC_ISSUER_URL")
        return self
