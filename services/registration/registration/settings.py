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
    # The JSON API's POSTs (register, add creditors, add debts): per client address (a district office or a
    # village's mobile network shares one) and per citizen ID (the token's, or the debtor's at a desk).
    api_rate_per_address: int = Field(
        300, ge=1, validation_alias=AliasChoices("REGISTRATION_API_RATE_PER_ADDRESS", "api_rate_per_address")
    )
    api_rate_per_citizen: int = Field(
        20, ge=1, validation_alias=AliasChoices("REGISTRATION_API_RATE_PER_CITIZEN", "api_rate_per_citizen")
    )
    api_rate_window_seconds: float = Field(60.0, gt=0)
