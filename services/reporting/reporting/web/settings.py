"""Settings of the reporting pages only; the service's own settings stay with ``reporting.settings``."""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    env: Literal["dev", "test", "production"] = "dev"
    # Where staff reach the pages (the OIDC redirect). Unset in dev: the address the browser used.
    public_url: str | None = Field(None, validation_alias=AliasChoices("REPORTING_PUBLIC_URL", "public_url"))
    # A random secret per process in dev: sessions simply end when the dev server restarts.
    session_secret: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
        validation_alias=AliasChoices("REPORTING_SESSION_SECRET", "session_secret"),
        min_length=32,
    )
    # The staff page client of the realm (confidential, PKCE S256); its redirect URIs include
    # https://$APP_HOSTNAME/reports/auth/callback. The secret comes from the environment only.
    client_id: str = Field("debt-staff", validation_alias=AliasChoices("REPORTING_OIDC_CLIENT_ID", "client_id"))
    client_secret: str | None = Field(
        None, validation_alias=AliasChoices("REPORTING_OIDC_CLIENT_SECRET", "client_secret")
    )
    session_ttl_seconds: int = 8 * 3600

    @model_validator(mode="after")
    def _secret_required_in_production(self) -> WebSettings:
        if self.env == "production":
            if "session_secret" not in self.model_fields_set:
                raise ValueError("ENV=production but REPORTING_SESSION_SECRET is not set")
            if not (self.public_url or "").startswith("https://"):
                raise ValueError("ENV=production needs an https REPORTING_PUBLIC_URL")
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.env == "production"

    def url(self, request_base: str, path: str) -> str:
        """An absolute URL of ours; ``request_base`` (the request's base URL) counts only when none is set."""
        return (self.public_url or request_base).rstrip("/") + path
