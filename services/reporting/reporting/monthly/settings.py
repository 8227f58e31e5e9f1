"""The monthly cycle's own settings (environment variables), beside the service's ``reporting.settings``."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MonthlySettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # How often the web process looks for reports past their deadline (ReportOverdue, once per unit and month).
    overdue_check_seconds: float = Field(
        300.0, gt=0, validation_alias=AliasChoices("REPORTING_OVERDUE_CHECK_SECONDS", "overdue_check_seconds"))
    # The first month the cycle tracks (YYYY-MM); empty: the first month of the current fiscal year. Months
    # before it raise no ReportOverdue (the system did not exist then).
    first_period: str = Field(
        "", pattern=r"^([0-9]{4}-(0[1-9]|1[0-2]))?$",
        validation_alias=AliasChoices("REPORTING_MONTHLY_FIRST_PERIOD", "first_period"))
    outbox_interval_seconds: float = Field(
        1.0, gt=0, validation_alias=AliasChoices("REPORTING_OUTBOX_INTERVAL_SECONDS", "outbox_interval_seconds"))
