from pydantic import AliasChoices, Field

from contracts.settings import PlatformSettings


def _env(name: str, field: str) -> AliasChoices:
    return AliasChoices(name, field)


class Settings(PlatformSettings):
    port: int = Field(8004, validation_alias=AliasChoices("NOTIFY_PORT", "port"))
    mongodb_database: str = Field(
        "notify", validation_alias=AliasChoices("NOTIFY_MONGODB_DATABASE", "mongodb_database")
    )
    # Consume events and run the senders in this process (off for a read-only replica of the lookup API).
    deliver: bool = Field(True, validation_alias=_env("NOTIFY_DELIVER", "deliver"))
    consumer_group: str = Field("notify", validation_alias=_env("NOTIFY_CONSUMER_GROUP", "consumer_group"))
    # Providers. The defaults are the loopback sinks `make run` starts (python -m notify.devsinks).
    smtp_host: str = Field("127.0.0.1", validation_alias=_env("NOTIFY_SMTP_HOST", "smtp_host"))
    smtp_port: int = Field(8026, validation_alias=_env("NOTIFY_SMTP_PORT", "smtp_port"))
    smtp_sender: str = Field("ศูนย์แก้ไขหนี้นอกระบบ <no-reply@dopa.example>",
                             validation_alias=_env("NOTIFY_SMTP_SENDER", "smtp_sender"))
    smtp_starttls: bool = Field(False, validation_alias=_env("NOTIFY_SMTP_STARTTLS", "smtp_starttls"))
    sms_gateway_url: str = Field("http://127.0.0.1:8025/sms/send",
                                 validation_alias=_env("NOTIFY_SMS_GATEWAY_URL", "sms_gateway_url"))
    sms_username: str = Field("notify", validation_alias=_env("NOTIFY_SMS_USERNAME", "sms_username"))
    sms_password: str = Field("dev-sms-password", validation_alias=_env("NOTIFY_SMS_PASSWORD", "sms_password"))
    sms_sender: str = Field("DOPA", validation_alias=_env("NOTIFY_SMS_SENDER", "sms_sender"))
    # Shared secret the gateway's delivery reports present (HTTP basic auth) on /api/v1/receipts/sms.
    sms_receipt_secret: str = Field("dev-receipt-secret",
                                    validation_alias=_env("NOTIFY_SMS_RECEIPT_SECRET", "sms_receipt_secret"))
    line_api_url: str = Field("http://127.0.0.1:8025", validation_alias=_env("NOTIFY_LINE_API_URL", "line_api_url"))
    line_channel_token: str = Field("dev-line-token",
                                    validation_alias=_env("NOTIFY_LINE_CHANNEL_TOKEN", "line_channel_token"))
    # Sends per second per provider (the gateway contracts' limits).
    sms_rate: float = Field(20.0, gt=0, validation_alias=_env("NOTIFY_SMS_RATE", "sms_rate"))
    email_rate: float = Field(20.0, gt=0, validation_alias=_env("NOTIFY_EMAIL_RATE", "email_rate"))
    line_rate: float = Field(20.0, gt=0, validation_alias=_env("NOTIFY_LINE_RATE", "line_rate"))
    # How long a message is retried before it is dead-lettered.
    give_up_after_s: float = Field(6 * 3600, gt=0, validation_alias=_env("NOTIFY_GIVE_UP_AFTER_S", "give_up_after_s"))
    backoff_base_s: float = Field(2.0, gt=0, validation_alias=_env("NOTIFY_BACKOFF_BASE_S", "backoff_base_s"))
    backoff_cap_s: float = Field(300.0, gt=0, validation_alias=_env("NOTIFY_BACKOFF_CAP_S", "backoff_cap_s"))

    # Contacts: with a registration URL, debtors' phones come from registration's contact API with notify's
    # client-credentials token; without one (tests, a stack with no registration) from made-up dev contacts.
    registration_url: str = Field("", validation_alias=_env("NOTIFY_REGISTRATION_URL", "registration_url"))
    client_id: str = Field("debt-notify", validation_alias=_env("NOTIFY_CLIENT_ID", "client_id"))
    client_secret: str = Field("", validation_alias=_env("NOTIFY_CLIENT_SECRET", "client_secret"))
    unit_mailbox: str = Field("saraban.{unit}@dopa.example", validation_alias=_env("NOTIFY_UNIT_MAILBOX",
                                                                                   "unit_mailbox"))
    # A staff member's welcome: their e-mail and activation link from identity's staff-contact API (same token).
    identity_url: str = Field("", validation_alias=_env("NOTIFY_IDENTITY_URL", "identity_url"))
    # Opt-outs: numbers are kept only as HMAC-SHA256 under this key; links in SMS point at this public URL.
    optout_key: str = Field("dev-optout-key", validation_alias=_env("NOTIFY_OPTOUT_KEY", "optout_key"))
    public_url: str = Field("http://127.0.0.1:8004", validation_alias=_env("NOTIFY_PUBLIC_URL", "public_url"))
    reminder_interval_s: float = Field(3600.0, gt=0, validation_alias=_env("NOTIFY_REMINDER_INTERVAL_S",
                                                                           "reminder_interval_s"))

    required_in_production: tuple[str, ...] = (
        "mongodb_uri", "kafka_bootstrap_servers", "oidc_issuer_url", "smtp_host", "sms_gateway_url",
        "sms_password", "sms_receipt_secret", "line_api_url", "line_channel_token", "registration_url",
        "client_secret", "unit_mailbox", "identity_url", "optout_key", "public_url",
    )
