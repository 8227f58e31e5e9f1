"""Settings of the reconciliation only (environment variables; the service's own stay in ``reporting.settings``).
No secret has a default: without ``REPORTING_RECONCILE_CLIENT_SECRET`` the job does not run and says so."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str, field: str) -> AliasChoices:
    return AliasChoices(name, field)


class ReconcileSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # The registration service, as reporting reaches it (its figures export: /api/v1/figures/cases).
    registration_url: str = Field("http://127.0.0.1:8001",
                                  validation_alias=_env("REPORTING_RECONCILE_REGISTRATION_URL", "registration_url"))
    # The reporting service's account in Keycloak (client credentials; realm client "debt-reporting").
    client_id: str = Field("debt-reporting", validation_alias=_env("REPORTING_RECONCILE_CLIENT_ID", "client_id"))
    client_secret: SecretStr | None = Field(
        None, validation_alias=_env("REPORTING_RECONCILE_CLIENT_SECRET", "client_secret"))
    # Seconds between scheduled runs; 0 runs only on demand.
    interval_seconds: float = Field(900.0, ge=0,
                                    validation_alias=_env("REPORTING_RECONCILE_INTERVAL_SECONDS", "interval_seconds"))
    # The pause before the second read when the first one differs (compare.py: a change in flight settles).
    settle_seconds: float = Field(30.0, ge=0,
                                  validation_alias=_env("REPORTING_RECONCILE_SETTLE_SECONDS", "settle_seconds"))
    history: int = Field(20, ge=1, le=500, validation_alias=_env("REPORTING_RECONCILE_HISTORY", "history"))
    timeout_seconds: float = Field(300.0, gt=0,
                                   validation_alias=_env("REPORTING_RECONCILE_TIMEOUT_SECONDS", "timeout_seconds"))

    @property
    def configured(self) -> bool:
        return self.client_secret is not None and bool(self.registration_url)
