from pydantic import AliasChoices, Field

from contracts.settings import PlatformSettings


class Settings(PlatformSettings):
    port: int = Field(8003, validation_alias=AliasChoices("REPORTING_PORT", "port"))
    mongodb_database: str = Field(
        "reporting", validation_alias=AliasChoices("REPORTING_MONGODB_DATABASE", "mongodb_database")
    )
    consumer_group: str = Field(
        "reporting", validation_alias=AliasChoices("REPORTING_CONSUMER_GROUP", "consumer_group")
    )
