from pathlib import Path

from pydantic import AliasChoices, Field

from contracts.settings import DEV_ISSUER_PATH, PlatformSettings


class Settings(PlatformSettings):
    port: int = Field(8002, validation_alias=AliasChoices("IDENTITY_PORT", "port"))
    public_url: str = Field(
        "http://127.0.0.1:8002", validation_alias=AliasChoices("IDENTITY_PUBLIC_URL", "public_url")
    )
    mongodb_database: str = Field(
        "identity", validation_alias=AliasChoices("IDENTITY_MONGODB_DATABASE", "mongodb_database")
    )
    dev_key_dir: Path = Field(
        Path("var/identity"), validation_alias=AliasChoices("IDENTITY_DEV_KEY_DIR", "dev_key_dir")
    )
    token_ttl_seconds: int = 900

    @property
    def dev_issuer(self) -> str:
        return self.public_url.rstrip("/") + DEV_ISSUER_PATH
