"""Settings of the web pages only; the service's own settings stay with ``registration.settings``."""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    env: Literal["dev", "test", "production"] = "dev"
    # Where citizens reach the pages (QR codes, posters, the OIDC redirect). Unset in dev: the address the
    # browser used, so `make run` on another port and test servers on random ports work unconfigured.
    public_url: str | None = Field(None, validation_alias=AliasChoices("REGISTRATION_PUBLIC_URL", "public_url"))
    # A random secret per process in dev: sessions simply end when the dev server restarts.
    session_secret: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
        validation_alias=AliasChoices("REGISTRATION_SESSION_SECRET", "session_secret"),
        min_length=32,
    )
    public_client_id: str = Field(
        "debt-public", validation_alias=AliasChoices("REGISTRATION_OIDC_PUBLIC_CLIENT_ID", "public_client_id")
    )
    staff_client_id: str = Field(
        "debt-staff", validation_alias=AliasChoices("REGISTRATION_OIDC_STAFF_CLIENT_ID", "staff_client_id")
    )
    # The pages are a server-side app: both page clients are confidential (PKCE as well), secrets from the
    # environment only.
    public_client_secret: str | None = Field(
        None, validation_alias=AliasChoices("REGISTRATION_OIDC_PUBLIC_CLIENT_SECRET", "public_client_secret")
    )
    staff_client_secret: str | None = Field(
        None, validation_alias=AliasChoices("REGISTRATION_OIDC_STAFF_CLIENT_SECRET", "staff_client_secret")
    )
    session_ttl_seconds: int = 2 * 3600
    # Public POSTs: per client address (a whole village may share one mobile NAT address) and per citizen.
    rate_per_address: int = Field(
        120, validation_alias=AliasChoices("REGISTRATION_RATE_PER_ADDRESS", "rate_per_address")
    )
    rate_per_citizen: int = Field(
        40, validation_alias=AliasChoices("REGISTRATION_RATE_PER_CITIZEN", "rate_per_citizen")
    )
    rate_window_seconds: float = 60.0
    photo_max_bytes: int = 5 * 1024 * 1024

    @model_validator(mode="after")
    def _secret_required_in_production(self) -> WebSettings:
        if self.env == "production":
            if "session_secret" not in self.model_fields_set:
                raise ValueError("ENV=production but REGISTRATION_SESSION_SECRET is not set")
            if not (self.public_url or "").startswith("https://"):
                raise ValueError("ENV=production needs an https REGISTRATION_PUBLIC_URL")
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.env == "production"

    def url(self, request_base: str, path: str) -> str:
        """An absolute URL of ours; ``request_base`` (the request's base URL) counts only when none is set."""
        return (self.public_url or request_base).rstrip("/") + path
