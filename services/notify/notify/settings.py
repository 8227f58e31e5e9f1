from pydantic import AliasChoices, Field

from contracts.settings import PlatformSettings


class Settings(PlatformSettings):
    port: int = Field(8004, validation_alias=AliasChoices("NOTIFY_PORT", "port"))
    mongodb_database: str = Field(
        "notify", validation_alias=AliasChoices("NOTIFY_MONGODB_DATABASE", "mongodb_database")
    )
