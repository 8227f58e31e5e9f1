from pydantic import AliasChoices, Field

from contracts.settings import PlatformSettings


class Settings(PlatformSettings):
    port: int = Field(8001, validation_alias=AliasChoices("REGISTRATION_PORT", "port"))
    mongodb_database: str = Field(
        "registration", validation_alias=AliasChoices("REGISTRATION_MONGODB_DATABASE", "mongodb_database")
    )
    relay_batch_size: int = 500
