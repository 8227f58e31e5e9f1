from pydantic import AliasChoices, Field

from contracts.settings import PlatformSettings


class Settings(PlatformSettings):
    port: int = Field(8001, validation_alias=AliasChoices("REGISTRATION_PORT", "port"))
    mongodb_database: str = Field(
        "registration", validation_alias=AliasChoices("REGISTRATION_MONGODB_DATABASE", "mongodb_database")
    )
    relay_batch_size: int = 500
    # One case per citizen per campaign; a new campaign (e.g. the next fiscal year's) starts afresh.
    campaign: str = Field("2569", validation_alias=AliasChoices("REGISTRATION_CAMPAIGN", "campaign"))
    idempotency_ttl_seconds: int = 24 * 3600
