"""Identity's environment variables. Secrets come only from the environment; in production every
one of them must be set explicitly (no dev default is ever used there)."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator

from contracts.settings import PlatformSettings


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(PlatformSettings):
    port: int = Field(8002, validation_alias=_env("IDENTITY_PORT", "port"))
    public_url: str = Field("http://127.0.0.1:8002", validation_alias=_env("IDENTITY_PUBLIC_URL", "public_url"))
    mongodb_database: str = Field("identity", validation_alias=_env("IDENTITY_MONGODB_DATABASE", "mongodb_database"))
    consumer_group: str = Field("identity", validation_alias=_env("IDENTITY_CONSUMER_GROUP", "consumer_group"))
    # The ThaiD simulator's signing keys (ENV=dev only) and the lifetime of the tokens it issues.
    dev_key_dir: Path = Field(Path("var/identity"), validation_alias=_env("IDENTITY_DEV_KEY_DIR", "dev_key_dir"))
    token_ttl_seconds: int = 900
    # The ThaiD simulator sends codes back to this machine only (comma-separated host names, http, any port).
    dev_redirect_hosts: str = Field(
        "127.0.0.1,localhost", validation_alias=_env("IDENTITY_DEV_REDIRECT_HOSTS", "dev_redirect_hosts")
    )
    auth_code_ttl_seconds: int = 60
    # The ThaiD simulator (ENV=dev only) at {public_url}/dev/thaid, brokered by the dev realm's `thaid` IdP.
    # No default secret: unset, its token endpoint refuses every client.
    thaid_sim_client_id: str = Field("thaid-dev", validation_alias=_env("THAID_SIM_CLIENT_ID", "thaid_sim_client_id"))
    thaid_sim_client_secret: SecretStr | None = Field(
        None, validation_alias=_env("THAID_SIM_CLIENT_SECRET", "thaid_sim_client_secret"))
    # Dev people listed on the simulator's page (infra/dev/dev_people.json); unset: the citizen-ID field only.
    thaid_sim_people_file: Path | None = Field(
        None, validation_alias=_env("THAID_SIM_PEOPLE_FILE", "thaid_sim_people_file"))

    # Keycloak's Admin REST API (staff provisioning) through the debt-identity service account.
    keycloak_url: str | None = Field(None, validation_alias=_env("KEYCLOAK_URL", "keycloak_url"))
    keycloak_realm: str = Field("debt", validation_alias=_env("KEYCLOAK_REALM", "keycloak_realm"))
    keycloak_admin_client_id: str | None = Field(
        None, validation_alias=_env("KEYCLOAK_ADMIN_CLIENT_ID", "keycloak_admin_client_id")
    )
    keycloak_admin_client_secret: SecretStr | None = Field(
        None, validation_alias=_env("KEYCLOAK_ADMIN_CLIENT_SECRET", "keycloak_admin_client_secret")
    )

    # identity's pages sign people in through Keycloak's confidential page clients (debt-public for
    # citizens, debt-staff for staff); their secrets come from the environment only.
    public_client_secret: SecretStr | None = Field(
        None, validation_alias=_env("IDENTITY_OIDC_PUBLIC_CLIENT_SECRET", "public_client_secret"))
    staff_client_secret: SecretStr | None = Field(
        None, validation_alias=_env("IDENTITY_OIDC_STAFF_CLIENT_SECRET", "staff_client_secret"))

    # Signs session cookies and CSRF tokens. Unset outside production: a fresh random one per process.
    session_secret: SecretStr | None = Field(None, validation_alias=_env("SESSION_SECRET", "session_secret"))
    session_ttl_seconds: int = 8 * 3600
    signin_limit_per_address: int = Field(
        120, validation_alias=_env("IDENTITY_SIGNIN_LIMIT_PER_ADDRESS", "signin_limit_per_address")
    )
    signin_limit_per_citizen: int = Field(
        20, validation_alias=_env("IDENTITY_SIGNIN_LIMIT_PER_CITIZEN", "signin_limit_per_citizen")
    )
    signin_limit_window_seconds: float = 300.0

    required_in_production: tuple[str, ...] = (
        "mongodb_uri",
        "kafka_bootstrap_servers",
        "oidc_issuer_url",
        "public_url",
        "keycloak_url",
        "keycloak_admin_client_id",
        "keycloak_admin_client_secret",
        "session_secret",
        "public_client_secret",
        "staff_client_secret",
    )

    @model_validator(mode="after")
    def _production_needs_https_and_a_real_secret(self) -> Settings:
        if self.env != "production":
            return self
        if not self.public_url.startswith("https://") or not (self.keycloak_url or "").startswith("https://"):
            raise ValueError("ENV=production needs https IDENTITY_PUBLIC_URL and KEYCLOAK_URL")
        secret = self.session_secret.get_secret_value() if self.session_secret else ""
        if len(secret) < 32:
            raise ValueError("ENV=production needs a SESSION_SECRET of at least 32 characters")
        return self

    @property
    def redirect_hosts(self) -> tuple[str, ...]:
        return tuple(h.strip() for h in self.dev_redirect_hosts.split(",") if h.strip())

    def client_secret(self, client_id: str) -> str | None:
        secret = {"debt-public": self.public_client_secret, "debt-staff": self.staff_client_secret}.get(client_id)
        return secret.get_secret_value() if secret else None

    @cached_property
    def session_key(self) -> bytes:
        if self.session_secret is not None:
            return self.session_secret.get_secret_value().encode()
        return secrets.token_bytes(32)

    @property
    def consumes_audit_events(self) -> bool:
        """Identity stores the audit log from Kafka whenever Kafka is configured (always in production)."""
        return "kafka_bootstrap_servers" in self.model_fields_set or self.env == "production"
