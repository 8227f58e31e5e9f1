"""App factory: clients are built in the lifespan, never at import time.

The web process does not run Faust: the worker (``python -m reporting.streams worker``) computes the totals
and publishes them to the compacted ``totals`` topic; this process reads that topic into a
:class:`reporting.totals.view.TotalsView` (``app.state.totals_view``), ready once it has caught up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pymongo import MongoClient

from contracts.api import install_api_conventions, operation_id
from contracts.claims import TokenVerifier
from contracts.lag import watch_consumer_group
from contracts.ops import Check, install_ops, kafka_probe
from reporting import dashboards, exports, reconcile
from reporting.monthly import feature as monthly_pages
from reporting.monthly import install_monthly
from reporting.monthly.snapshot_port import submitted_figures
from reporting.settings import Settings
from reporting.totals import api as totals
from reporting.totals.view import TotalsView
from reporting.web import install_web


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        mongo: MongoClient[dict[str, object]] = MongoClient(
            settings.mongodb_uri, tz_aware=True, serverSelectionTimeoutMS=3000
        )
        view = TotalsView(settings.kafka_bootstrap_servers, topic=settings.totals_topic).start()
        app.state.mongo, app.state.totals_view, app.state.settings = mongo, view, settings
        app.state.token_verifier = TokenVerifier(settings.oidc_issuer_url, settings.oidc_audience)
        # Exports print a submitted month from the monthly cycle's frozen versions (port: reporting.snapshots).
        app.state.submitted_figures = submitted_figures(mongo[settings.mongodb_database])
        # The stream worker's consumer group, measured from here too: a stuck or dead worker cannot report its lag.
        forget_lag = watch_consumer_group("reporting", settings.kafka_bootstrap_servers, settings.streams_app_id,
                                          [settings.case_events_topic])
        try:
            yield
        finally:
            forget_lag()
            view.stop()
            mongo.close()

    app = FastAPI(title="รายงานผล — Reporting", version="0.1.0", lifespan=lifespan,
                  generate_unique_id_function=operation_id)

    kafka_ready = kafka_probe(settings.kafka_bootstrap_servers)

    def checks() -> Mapping[str, Check]:
        return {
            "mongodb": lambda: app.state.mongo.admin.command("ping"),
            "kafka": kafka_ready,
            "totals": app.state.totals_view.check_ready,  # caught up with the totals topic as it was at start
            "keycloak": app.state.token_verifier.discovery,  # the token issuer: its keys and sign-in
        }

    install_ops(app, "reporting", checks)
    app.include_router(totals.router)
    install_monthly(app, settings)  # the monthly cycle: /api/v1/reports, its outbox relay and overdue check
    # Staff pages under /reports: the shared sign-in (reporting.web), then each feature.
    install_web(app, settings, [dashboards.feature(), exports.FEATURE, monthly_pages(), reconcile.feature()])
    install_api_conventions(app, max_body_bytes=settings.max_body_bytes)
    return app
