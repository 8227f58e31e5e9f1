from pathlib import Path

from pydantic import AliasChoices, Field

from contracts.settings import PlatformSettings


class Settings(PlatformSettings):
    port: int = Field(8003, validation_alias=AliasChoices("REPORTING_PORT", "port"))
    mongodb_database: str = Field(
        "reporting", validation_alias=AliasChoices("REPORTING_MONGODB_DATABASE", "mongodb_database")
    )
    # The Faust worker (python -m reporting.streams worker): its app id names its consumer group, internal
    # topics and changelogs, so a new id rebuilds the totals from the beginning of case-events. "-3": the
    # district day rows' layout changed (one a day -> DAY_PARTS a day, reporting.totals.districts).
    streams_app_id: str = Field(
        "reporting-3", validation_alias=AliasChoices("REPORTING_STREAMS_APP_ID", "streams_app_id")
    )
    # Where the worker keeps its RocksDB tables (a cache of the changelogs: deleting it costs a restore).
    worker_data_dir: Path = Field(
        Path("var/reporting-worker"), validation_alias=AliasChoices("REPORTING_WORKER_DATA_DIR", "worker_data_dir")
    )
    # Table store: rocksdb:// in production and make run; memory:// restores every table at each start.
    streams_store: str = Field("rocksdb://", validation_alias=AliasChoices("REPORTING_STREAMS_STORE", "streams_store"))
    # Partitions of the worker's internal topic and tables; fixed once the app id has run.
    streams_partitions: int = Field(
        6, ge=1, validation_alias=AliasChoices("REPORTING_STREAMS_PARTITIONS", "streams_partitions")
    )
    # Replication of the worker's internal topics and changelogs (3 in production, 1 on a one-broker stack).
    streams_replicas: int = Field(
        3, ge=1, validation_alias=AliasChoices("REPORTING_STREAMS_REPLICAS", "streams_replicas")
    )
    # Faust's broker session/rebalance timeouts in seconds; tests make them short so a killed worker's
    # partitions move quickly.
    streams_session_timeout: float = Field(
        60.0, gt=0, validation_alias=AliasChoices("REPORTING_STREAMS_SESSION_TIMEOUT", "streams_session_timeout")
    )
    # Seconds an input partition may hold unread records without progress before the worker seeks it back to
    # where the group left off (a Faust bug's workaround: reporting.totals.stall_guard); 0 = no guard.
    streams_stall_after: float = Field(
        30.0, ge=0, validation_alias=AliasChoices("REPORTING_STREAMS_STALL_AFTER", "streams_stall_after")
    )
    # The worker's /metrics (its streamed_totals_* counters) for Prometheus: 0 = none (the dev stack, tests);
    # bound to loopback unless a container sets 0.0.0.0 (no Service routes to it).
    worker_metrics_port: int = Field(
        6066, ge=0, le=65535, validation_alias=AliasChoices("REPORTING_WORKER_METRICS_PORT", "worker_metrics_port")
    )
    worker_metrics_bind: str = Field(
        "127.0.0.1", validation_alias=AliasChoices("REPORTING_WORKER_METRICS_BIND", "worker_metrics_bind")
    )
    # Other topics than the contract's, for tests and the bench only (each keeps its events apart).
    case_events_topic: str = Field(
        "case-events", validation_alias=AliasChoices("REPORTING_CASE_EVENTS_TOPIC", "case_events_topic")
    )
    totals_topic: str = Field("totals", validation_alias=AliasChoices("REPORTING_TOTALS_TOPIC", "totals_topic"))
